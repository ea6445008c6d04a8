"""What the fork server of the worker pools imports once, before it forks the first
worker (sim/core/processes.py): the model and the ensemble, with Mesa, pandas, pyarrow
and numpy, some 150 MB a process when each worker imports them itself.

The server dies with the process that started it, however that ends (the parent-death
signal: :func:`sim.core.processes.die_with_parent`), and its workers with it (each arms
the same signal on the server as it starts). Without this a killed run would leave the
server and its workers running: the standard library's server exits once no process
holds its pipe open, and each worker holds a copy of it.

The objects imported are then moved out of the garbage collector's reach
(:func:`gc.freeze`): a collection in a worker would otherwise write to every object it
visits, and so copy the pages the worker shares with the server (the advice of the
``gc.freeze`` documentation for a process that forks workers).
"""

import gc
import os

# The numerical libraries' thread pools held to one thread, as loky holds them in the
# workers it starts itself (two workers on two cores): set before numpy is imported here,
# and inherited by the workers forked from here.
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import sim.run.ensemble  # noqa: E402, F401  (imported for its modules, held by the server)
from sim.core.processes import die_with_parent  # noqa: E402

die_with_parent(os.getppid())

gc.collect()
gc.freeze()
