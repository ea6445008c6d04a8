"""``python -m sim.discover``: the command's name; it lives in :mod:`sim.cli.discover`."""

from sim.cli.discover import main

if __name__ == "__main__":
    raise SystemExit(main())
