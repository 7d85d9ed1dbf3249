"""Load tests with a correctness verdict: Locust scenarios, the verdict, reports and chart.

The scenarios (`scenarios/`) run inside Locust's gevent processes and import Locust; every
other module here runs in the `ticketing` command and must never import Locust, whose import
monkey-patches the standard library.
"""
