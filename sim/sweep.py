"""``python -m sim.sweep``: the command's name; it lives in :mod:`sim.cli.sweep`."""

from sim.cli.sweep import main

if __name__ == "__main__":
    raise SystemExit(main())
