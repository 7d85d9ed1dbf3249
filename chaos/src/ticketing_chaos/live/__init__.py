"""A chaos run on the real services: its stack, its runner-side faults, drain and snapshot."""
