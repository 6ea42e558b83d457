"""Click commands, one module each."""
