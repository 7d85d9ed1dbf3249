"""The ticketing web client."""
