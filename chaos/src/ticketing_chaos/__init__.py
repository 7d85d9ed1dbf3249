"""The chaos suite: faults between the real services, and proof that no data goes wrong."""
