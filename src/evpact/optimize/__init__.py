"""Search over deal terms: grids of variants now, optimisers later."""
