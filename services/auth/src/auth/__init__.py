"""The auth service: sign-up, sign-in and sessions of the ticketing system."""
