"""One module per kind of eval case."""
