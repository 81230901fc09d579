"""gather layer."""
