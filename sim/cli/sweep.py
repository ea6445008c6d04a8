"""``python -m sim.sweep DIR [--baseline KEY=VALUE]``: aggregate a sweep folder again.

Also one in which some jobs failed or never ran: it names them and aggregates the rest
(see :mod:`sim.run.aggregate`).
"""

import sys

from ..run.aggregate import main

if __name__ == "__main__":
    sys.exit(main())
