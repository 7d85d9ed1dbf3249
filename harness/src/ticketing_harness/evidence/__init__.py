"""The evidence a run leaves and the invariants it must keep, shared by `ticketing load`, the
chaos runner and its deterministic mode.

`access` reaches a stack (local or remote); `reading.take_snapshot` reads what its stores
hold into a `snapshot` (rows and audit from the databases' `tables`, the broker's `stream`,
dead letters and consumers, the charges and refunds of `stripe`); `drain` waits until it
settled; `invariants` judge the evidence, each returning a `results.CheckResult`.
"""
