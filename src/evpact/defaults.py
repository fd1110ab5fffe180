"""Defaults every entry point shares, in a module that imports nothing (the CLI reads them to
build its options without importing the engine)."""

DEFAULT_DRAWS = 2000
DEFAULT_SEED = 20260129  # the MOU's date: any fixed seed makes default runs reproducible
