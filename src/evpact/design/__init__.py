"""Deal design from both sides: the price of a plant and the negotiation zone."""
