"""The deterministic mode: the services' real handlers on a real PostgreSQL, and a simulated
bus whose deliveries, duplicates and delays Hypothesis chooses."""
