"""The evidence a run leaves and the invariants it must keep, shared by `ticketing load`, the
chaos runner and its deterministic mode.

`access` reaches a stack (local or remote), `snapshot` reads what its stores hold (rows,
the stream, dead letters, consumers, Stripe's charges and refunds), `drain` waits until it
settled, and `invariants` judges the evidence, each check returning a `results.CheckResult`.
"""
