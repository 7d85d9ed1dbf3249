"""`python -m ticketing_harness.launch MODULE`: import a service early, run it when told to.

`ticketing up` starts every service's interpreter at once, so the seconds Python spends
importing overlap with the servers' start. The service runs (its own `__main__`, as
`python -m MODULE` would) once `go` arrives on stdin; end of input means the stack gave up.
"""

from __future__ import annotations

import importlib
import runpy
import sys


def main() -> None:
    module = sys.argv[1]
    # A service's __main__ only runs under `if __name__ == "__main__"`: importing it loads
    # its code and libraries without starting anything.
    importlib.import_module(f"{module}.__main__")
    if sys.stdin.readline().strip() != "go":
        raise SystemExit(0)
    sys.argv = [module]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
