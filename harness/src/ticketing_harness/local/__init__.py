"""The local stack that `ticketing up` runs: every component a process, behind an nginx gateway.

Nothing is imported here, so that the fork server (`python -m
ticketing_harness.local.forkserver`) and `ticketing status` load only the modules they use.
"""
