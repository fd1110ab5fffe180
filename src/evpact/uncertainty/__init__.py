"""Sampling of uncertain inputs, Monte Carlo chunking and (later) sensitivity analysis."""
