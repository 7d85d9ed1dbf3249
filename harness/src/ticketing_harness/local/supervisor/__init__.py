"""The supervisor: the daemon that owns a running stack, in a process of its own.

`ticketing up` starts it (`python -m ticketing_harness.local.supervisor`, the options as one
JSON line on stdin) in a session of its own and shows what it reports on stdout (see
`local.notices`); with `--detach`, `up` returns and the supervisor carries on. It is the
stack's owner in the state file: SIGTERM (`ticketing down`) stops everything, as does the end
of a foreground `up`. Requests such as `ticketing restart` come on the control socket.

`daemon` runs it; `startup` starts each component (on the sockets of `listeners`, checked by
`readiness`, configured by `wiring`, the services forked by the `launcher` from the
`forkserver`, nginx from `gateway`); `recovery` starts again what dies (with a `backoff`),
`requests` answers the control socket, `reloading` restarts what changed (`sources`).
"""
