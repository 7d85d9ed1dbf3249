"""The ticketing CLI and the real servers it runs."""
