"""The Locust scenarios: `drop`, `browse` and `steady`, each a locustfile.

`coordination`, `shopper` and `state` are what they share.
"""
