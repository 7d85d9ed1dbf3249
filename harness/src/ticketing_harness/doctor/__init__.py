"""`ticketing doctor`: whether this machine can run the stack and a dev cluster, with a fix for
what is missing."""
