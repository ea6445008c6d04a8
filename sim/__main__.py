"""``python -m sim``: the command's name; it lives in :mod:`sim.cli.run`."""

from sim.cli.run import main

if __name__ == "__main__":
    main()
