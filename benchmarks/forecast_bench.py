"""The forecast's benchmarks (``make bench`` section 7, ``--only forecast``).

The shipped forecast moved from day 17 to day 24 (a week with nothing new reported:
forecast.record_to=2025-11-12) with 1,000 particles from an empty cache, on all cores
(target: < 10 min); and the filter's inner loop, histories replayed from day 0 to a
checkpoint (the filter replays a history from its seed rather than saving its state: the
cost of that choice is the days before the last checkpoint, measured as histories to
days 7, 17 and 24)."""

from __future__ import annotations

import tempfile
import time

from sim.run.config import default_config


def bench_forecast_week(particles: int = 1000) -> dict:
    """The shipped forecast moved a week on (day 17 to day 24) from an empty cache."""
    from sim.run import forecast

    with tempfile.TemporaryDirectory() as tmp:
        config = default_config(
            [
                "forecast.as_of=24",
                "forecast.record_to=2025-11-12",
                f"forecast.particles={particles}",
                f"forecast.cache={tmp}",
            ]
        )
        started = time.perf_counter()
        _, prepared = forecast.prepare(config, say=lambda line: print(f"  {line}", flush=True))
        wall = time.perf_counter() - started
    simulated = sum(s["simulations"] for s in prepared.steps)
    return {"particles": particles, "wall_s": wall, "histories": simulated, "steps": prepared.steps}


def bench_filter_loop(histories: int = 1000, n_jobs: int = 1) -> dict:
    """Histories drawn from the prior, replayed from day 0 to days 7, 17 and 24 and checked
    against the record: the calibration's inner loop (to day 17, the record it ships with)
    and the rolling forecast's (sim/analysis/sequential.py ``simulate``: a history is replayed
    from its seed to the origin and on to the next checkpoint, day 24 a week on). On one
    core by default (``n_jobs``), so that days a second compare across machines' loads:
    ms a history and days a second."""
    from sim.analysis import sequential as sq
    from sim.analysis.calibration import calibrated_factors
    from sim.run import forecast

    config = default_config(["forecast.record_to=2025-11-12", "forecast.as_of=24"])
    chosen = calibrated_factors(config, shapes=forecast.installed_priors())
    evidence = forecast.evidence(config)
    start = sq.prior_population(chosen, histories, seed=5)
    sq.simulate(config, chosen, start.z[:20], start.seeds[:20], (24,), evidence, 1)  # imports and caches warm
    out = {}
    for day in (7, 17, 24):
        started = time.perf_counter()
        sq.simulate(config, chosen, start.z, start.seeds, (day,), evidence, n_jobs)
        wall = time.perf_counter() - started
        out[day] = {"ms_per_history": 1000 * wall / histories, "days_per_s": histories * day / wall}
    return out
