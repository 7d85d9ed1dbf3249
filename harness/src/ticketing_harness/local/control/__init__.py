"""The commands' side of a local stack, in their own process: `up` starts the supervisor and
follows it (`up`, `progress`), `status` asks each component, `restart` asks the supervisor,
`logs` reads the components' logs."""
