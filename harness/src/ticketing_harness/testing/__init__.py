"""Test support: the pytest plugin with real servers, bus helpers, in-process apps and stacks.

Its packages come with the `testing` extra: `pip install ticketing-harness[testing]`.
"""
