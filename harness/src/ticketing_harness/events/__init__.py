"""What `ticketing events` reads from a running stack: the stream, the consumers, dead letters."""
