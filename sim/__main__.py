"""``python -m sim [overrides]``: run a scenario as many replicates; write tables,
estimates and plots into Hydra's output folder.

Examples::

    python -m sim                                   # the default forecast
    python -m sim mvm=third_party mvm.detection_prob=0.9
    python -m sim run.replicates=200 hydra.run.dir=out/quick

A mistake in the configuration (an unknown key or option, a wrong type, a value out of
range) is reported in one paragraph naming the key and what is allowed; the exit code
is 2 and no traceback is printed.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from importlib import metadata
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf

from .config import Config, ConfigError, check_output_dirs, check_overrides, load_config, to_dict
from .ensemble import release_workers, run_ensemble
from .io import write_json, write_parquet, write_text
from .model import round_calendar
from .provenance import provenance
from .sweep import (
    ACTIVE,
    aggregate_after_failure,
    job_label,
    job_status,
    job_worker_budget,
    write_manifest,
)

EXIT_CONFIG_ERROR = 2
EXIT_INTERRUPTED = 130


def fail(err: Exception) -> None:
    print(f"ceasefire-sim: configuration error: {err}", file=sys.stderr)
    sys.exit(EXIT_CONFIG_ERROR)


def run_scenario(config: Config, out_dir: Path, quiet: bool = False, max_workers: int | None = None):
    """Run the ensemble of ``config``, write every output into ``out_dir``; return the
    :class:`sim.estimates.Estimates`. ``manifest.json`` is written last: its presence
    (with the sizes it records) is what marks the folder complete."""
    started = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "manifest.json").unlink(missing_ok=True)
    write_text(OmegaConf.to_yaml(OmegaConf.create(to_dict(config))), out_dir / "config.yaml")
    write_json(provenance(), out_dir / "provenance.json")

    result = run_ensemble(config, runs_path=out_dir / "runs.parquet", max_workers=max_workers)
    if result.workers > 1:
        release_workers()
    # imported only now, once the workers are gone: lifelines and matplotlib are heavy,
    # and the peak memory of a big run is the parent's plus the workers'
    from . import plots
    from .estimates import describe, estimate

    write_parquet(result.daily, out_dir / "daily.parquet")
    est = estimate(result.runs, config.run.horizon_days)
    write_json(est.summary, out_dir / "summary.json")

    start = config.scenario.start_date
    if config.run.figures:
        label = f"{config.scenario.name}, mechanism: {config.mvm.design}, mediators: {', '.join(config.mediation.mediators) or 'none'}"
        plots.survival_plot(est, out_dir / "survival.png", start, title=f"How long the truce holds ({label})")
        plots.trade_plot(result.daily, result.runs, out_dir / "trade.png", start, title=f"Trade across the border ({label})")
        rounds = [r.end_day for r in round_calendar(config, config.run.horizon_days)]
        plots.dynamics_plot(result.daily, out_dir / "dynamics.png", rounds, start)
    write_manifest(out_dir, config, time.perf_counter() - started, result.workers)
    if not quiet:
        print(describe(est.summary, start))
        print(describe_table(config, result.runs))
        print(f"Outputs in {out_dir}")
    return est


def describe_table(config: Config, runs) -> str:
    """One line on where the replicates' parameters came from and, for replayed
    histories, how many still reproduce the record under this run's settings."""
    from .parameters import HISTORY, keys_of, read_table

    p = config.parameters
    if p.table is None:
        return "Parameters: the values in conf/ and on the command line, the same in every replicate (parameters.table=null)."
    table = read_table(p.table)
    drawn = [k for k in keys_of(table) if k not in p.pinned]
    how = f"every replicate took row {p.row} of" if p.row is not None else f"replicate i took row i mod {len(table):,} of"
    line = f"Parameters: {len(drawn)} from a table ({how} {p.table})"
    matched = runs["record_match"].dropna()
    if HISTORY[0] in table.columns and len(matched):
        day = int(table[HISTORY[1]].max())
        line += (f"; each replicate replays the random draws of its row's history to day {day}, and "
                 f"{matched.mean():.0%} of them reproduce the record to that day with these settings")
        if matched.mean() < 1:
            line += " (the others' first days differ: settings other than the calibrated ones)"
    pinned = [k for k in p.pinned if k in keys_of(table)]
    if pinned:
        line += f"; set on the command line, not drawn: {', '.join(pinned)}"
    return line + "."


@hydra.main(config_path="conf", config_name="config", version_base="1.3")
def hydra_main(cfg: DictConfig) -> None:
    hc = HydraConfig.get()
    out_dir = Path(hc.runtime.output_dir)
    try:
        config = load_config(cfg)
    except ConfigError as err:
        discard_if_empty(out_dir)
        if hc.mode == RunMode.MULTIRUN:
            raise  # the sweep records the job as failed and goes on
        fail(err)
    config = pin_overrides(config, list(hc.overrides.task))
    if hc.mode == RunMode.MULTIRUN:
        run_sweep_job(config, out_dir, hc.job.num, list(hc.overrides.task))
    else:
        run_scenario(config, out_dir)


def pin_overrides(config: Config, overrides: list[str]) -> Config:
    """Keys given on the command line (or by a sweep) win over a parameter table's values."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    from .parameters import pin

    keys = [ov.key_or_group for ov in OverridesParser.create().parse_overrides(overrides) if not ov.is_delete()]
    return pin(config, [k.lstrip("+") for k in keys])


def run_sweep_job(config: Config, out_dir: Path, num: int, overrides: list[str]) -> None:
    """One point of a sweep: skipped if a complete run of the same configuration is
    already in its folder (resuming); otherwise run on its share of the cores; one line."""
    label = f"[job {num}] {job_label(overrides)}"
    status, reason = job_status(out_dir, config)
    if status == "complete":
        say(f"{label}: already complete, skipped")
        return
    if reason == "finished with another configuration":
        say(f"{label}: its folder holds a run of another configuration; running again")
    started = time.perf_counter()
    est = run_scenario(config, out_dir, quiet=True, max_workers=job_worker_budget(config.run.n_jobs))
    truce = est.summary["truce"]
    p90 = next((s["p"] for s in truce["survival"] if s["days"] == 90), None)
    p90_text = "" if p90 is None else f"P(holds 90 d) {p90:.2f}, "
    say(f"{label}: {p90_text}restricted mean {truce['rmst_days']['mean']:.0f} d ({time.perf_counter() - started:.1f} s)")


def say(line: str) -> None:
    """One line in one write, so that lines of jobs running in parallel do not interleave."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def discard_if_empty(out_dir: Path) -> None:
    """Remove the folder Hydra made for a run that was refused, if it holds nothing else."""
    own = {".hydra", "__main__.log", f"{Path(sys.argv[0]).stem}.log"}
    try:
        if set(os.listdir(out_dir)) <= own:
            shutil.rmtree(out_dir)
            out_dir.parent.rmdir()  # the date folder, only if now empty
    except OSError:
        pass


def main() -> None:
    args = sys.argv[1:]
    if "--version" in args:
        print(f"ceasefire-sim {metadata.version('ceasefire-sim')}")
        return
    try:
        check_overrides(args)
        check_output_dirs(args)
    except ConfigError as err:
        fail(err)
    try:
        hydra_main()
    except SystemExit as exc:
        if exc.code not in (0, None, EXIT_CONFIG_ERROR):
            aggregate_after_failure()  # a sweep stopped by a failed job: keep what finished
        raise
    except KeyboardInterrupt:
        where = f" (hydra.sweep.dir={ACTIVE['dir']})" if ACTIVE else ""
        print(f"\nceasefire-sim: interrupted. Finished outputs are kept and no file is left half-written; "
              f"run the same command{where} to resume a sweep.", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)


if __name__ == "__main__":
    main()
