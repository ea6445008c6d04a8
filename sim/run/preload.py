"""What the fork server of the worker pools imports once, before it forks the first
worker (sim/core/processes.py): the model and the ensemble, with Mesa, pandas, pyarrow
and numpy, some 150 MB a process when each worker imports them itself.

The server dies with the process that started it, however that ends (the parent-death
signal: :func:`sim.core.processes.die_with_parent`), and its workers with it (each arms
the same signal on the server as it starts). Without this a killed run would leave the
server and its workers running: the server waits for every worker to go, the workers
for the server.

The objects imported are then moved out of the garbage collector's reach
(:func:`gc.freeze`): a collection in a worker would otherwise write to every object it
visits, and so copy the pages the worker shares with the server (the advice of the
``gc.freeze`` documentation for a process that forks workers).
"""

import gc
import os

import sim.run.ensemble  # noqa: F401  (imported for its modules, held by the server)
from sim.core.processes import die_with_parent

die_with_parent(os.getppid())

gc.collect()
gc.freeze()
