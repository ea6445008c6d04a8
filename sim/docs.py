"""``python -m sim.docs``: the command's name; it lives in :mod:`sim.cli.docs`."""

from sim.cli.docs import main

if __name__ == "__main__":
    raise SystemExit(main())
