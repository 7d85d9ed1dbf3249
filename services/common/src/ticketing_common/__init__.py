"""Shared library of the ticketing services."""
