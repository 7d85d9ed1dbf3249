"""Developer machine setup: the hosts file entry, local certificates and the `doctor` checks."""
