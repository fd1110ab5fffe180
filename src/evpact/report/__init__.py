"""Reports and charts: views on results, written to files (nothing here runs the model)."""
