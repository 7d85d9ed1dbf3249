"""The local stack that `ticketing up` runs: every component a process, behind an nginx gateway.

Split by the side of the process boundary: `supervisor` is the daemon that owns a running
stack (it starts, watches, restarts and reloads it); `control` is what the commands `up`,
`status`, `restart` and `logs` use from another process; the modules here are what both
share: the state directory's `layout`, the `state` file, the `notices` the supervisor
reports, the `options` of `up`, the `replicas`' names and the `shutdown` of a stack.

Nothing is imported here, so that the fork server (`python -m
ticketing_harness.local.supervisor.forkserver`) and `ticketing status` load only the modules
they use.
"""
