"""Test support: the pytest plugin with real servers, bus helpers, in-process apps and stacks."""
