"""DMARC aggregate reports: import, store, sender inventory and the p=reject gate."""
