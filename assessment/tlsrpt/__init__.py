"""tlsrpt layer."""
