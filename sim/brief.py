"""``python -m sim.brief``: the command's name; it lives in :mod:`sim.cli.brief`."""

from sim.cli.brief import main

if __name__ == "__main__":
    raise SystemExit(main())
