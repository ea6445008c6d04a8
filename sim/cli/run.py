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
import signal
import sys
from importlib import metadata
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from ..core.errors import EXIT_USER_ERROR, ConfigError, UsageError, fail
from ..core.schema import CONF_DIR
from ..run.aggregate import ACTIVE, aggregate_after_failure
from ..run.config import check_cfg_print, check_output_dirs, check_overrides, default_config, load_config
from ..run.folder import HYDRA_OWN, LOCK, check_not_in_source, claim, lock
from ..run.scenario import already_complete, run_scenario, run_sweep_job

EXIT_INTERRUPTED = 130


@hydra.main(config_path=str(CONF_DIR), config_name="config", version_base="1.3")
def hydra_main(cfg: DictConfig) -> None:
    hc = HydraConfig.get()
    out_dir = Path(hc.runtime.output_dir)
    try:
        config = load_config(cfg, list(hc.overrides.task))
    except ConfigError as err:
        discard_if_empty(out_dir)
        if hc.mode == RunMode.MULTIRUN:
            raise  # the sweep records the job as failed and goes on
        fail(err)
    if hc.mode == RunMode.MULTIRUN:
        run_sweep_job(config, out_dir, hc.job.num, list(hc.overrides.task), Path(hc.sweep.dir))
        return
    try:
        run_scenario(config, out_dir)
    except UsageError as err:
        fail(err)
    except OSError as err:
        fail(UsageError(cannot_write(out_dir, err)))


def cannot_write(out_dir: Path, err: OSError) -> str:
    """One paragraph for a run that could not write its outputs (a full disk, a read-only
    or vanished folder)."""
    return (
        f"cannot write into '{out_dir}': {err.strerror or err}. Files already complete there are kept (no file is left "
        "half-written); free space or fix the folder, then run the same command again."
    )


def claim_named_folder(args: list[str]) -> None:
    """A folder named on the command line is claimed before Hydra writes anything into it
    (sim/run/folder.py): a sweep's folder is locked for the sweep; a run's folder is
    locked and judged (refused if it holds something else, nothing to do if it holds
    this very run, complete)."""
    multirun = "-m" in args or "--multirun" in args
    key = "hydra.sweep.dir" if multirun else "hydra.run.dir"
    value = next((a.partition("=")[2] for a in args if a.partition("=")[0].lstrip("+") == key), None)
    if value is None or any(a in ("--cfg", "-c", "--help", "-h", "--hydra-help", "--info") for a in args):
        return
    folder = Path(value).expanduser()
    if multirun:
        check_not_in_source(folder)
        lock(folder)
        return
    overrides = [
        a
        for a in args
        if not a.startswith("-") and ("=" in a or a.startswith("~")) and not a.lstrip("+~").startswith("hydra")
    ]
    config = default_config(overrides)
    if claim(folder, config) == "complete":
        print(already_complete(folder, config))
        sys.exit(0)


def terminated(signum: int, frame: object) -> None:
    """SIGTERM: stop as Ctrl-C does (outputs kept, workers stopped, one message)."""
    raise KeyboardInterrupt


def discard_if_empty(out_dir: Path) -> None:
    """Remove the folder Hydra made for a run that was refused, if it holds nothing else."""
    own = {*HYDRA_OWN, LOCK}
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
    signal.signal(signal.SIGTERM, terminated)
    try:
        check_overrides(args)
        check_output_dirs(args)
        check_cfg_print(args)
        claim_named_folder(args)
    except (ConfigError, UsageError) as err:
        fail(err)
    try:
        hydra_main()
    except SystemExit as exc:
        if exc.code not in (0, None, EXIT_USER_ERROR):
            aggregate_after_failure()  # a sweep stopped by a failed job: keep what finished
        raise
    except KeyboardInterrupt:
        where = f" (hydra.sweep.dir={ACTIVE['dir']})" if ACTIVE else ""
        print(
            f"\nceasefire-sim: interrupted. Finished outputs are kept and no file is left half-written; "
            f"run the same command{where} to resume a sweep.",
            file=sys.stderr,
        )
        sys.exit(EXIT_INTERRUPTED)


if __name__ == "__main__":
    main()
