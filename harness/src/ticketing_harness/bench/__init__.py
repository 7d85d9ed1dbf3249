"""`nox -s bench`: the whole system measured on this machine, printed and kept as results."""
