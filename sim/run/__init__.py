"""Running many replicates: the config as a run sees it, parameter tables, the ensemble,
one run into one folder (scenario.py), the run folder's contract, worker budgets, and
sweeps (design, reader, aggregation, callback)."""
