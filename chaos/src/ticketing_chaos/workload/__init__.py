"""The simulated users of a chaos run, and the history of what they did."""
