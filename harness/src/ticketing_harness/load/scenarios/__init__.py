"""The Locust scenarios: `drop`, `browse` and `steady`, each a locustfile run by Locust."""
