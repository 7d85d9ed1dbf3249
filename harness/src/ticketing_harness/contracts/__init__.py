"""The contract toolkit behind `ticketing contracts`: check, diff, release, docs and coverage."""
