"""`python -m ticketing_harness` runs the `ticketing` command line."""

from ticketing_harness.cli import app

if __name__ == "__main__":
    app()
