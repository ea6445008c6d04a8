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

import contextlib
import itertools
import os
import re
import shutil
import signal
import sys
from datetime import datetime
from importlib import metadata
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from ..core.errors import EXIT_USER_ERROR, ConfigError, UsageError, fail
from ..core.schema import CONF_DIR
from ..run.aggregate import ACTIVE, aggregate_after_failure
from ..run.config import (
    CONFIG_DIR_FLAGS,
    check_cfg_print,
    check_config_name,
    check_output_dirs,
    check_overrides,
    default_config,
    load_config,
    named_dirs,
    run_overrides,
)
from ..run.folder import HYDRA_OWN, LOCK, check_out_dir, claim, claim_sweep_folder, release
from ..run.points import check_sweep_size
from ..run.scenario import already_complete, run_scenario, run_sweep_job
from ..run.workers import WORKER_DIED, die_with_sweep

EXIT_INTERRUPTED = 130
EXIT_FAILED = 1
#: Flags with which Hydra prints something and runs nothing.
INFO_FLAGS = ("--cfg", "-c", "--help", "-h", "--hydra-help", "--info", "-i", "--shell-completion", "-sc")
#: The folder being written and the key that names it (for the message of an interrupted run).
RUNNING: dict[str, object] = {}


@hydra.main(config_path=str(CONF_DIR), config_name="config", version_base="1.3")
def hydra_main(cfg: DictConfig) -> None:
    hc = HydraConfig.get()
    out_dir = Path(hc.runtime.output_dir)
    if hc.mode == RunMode.MULTIRUN:
        die_with_sweep()  # a job in a worker process of the launcher dies with the sweep
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
    RUNNING.update(key="hydra.run.dir", dir=out_dir)
    try:
        run_scenario(config, out_dir)
    except UsageError as err:
        discard_if_empty(out_dir)  # a folder Hydra named and made (an interpolation), refused
        fail(err)
    except OSError as err:
        fail(UsageError(cannot_write(out_dir, err)))
    except WORKER_DIED as err:
        stop(worker_died(out_dir, err), EXIT_FAILED)


def stop(message: str, code: int) -> None:
    """One paragraph on stderr, then exit with ``code``."""
    print(f"ceasefire-sim: error: {message}", file=sys.stderr)
    sys.exit(code)


def cannot_write(out_dir: Path, err: OSError) -> str:
    """One paragraph for a run that could not write its outputs (a full disk, a read-only
    or vanished folder)."""
    return (
        f"cannot write into '{out_dir}': {err.strerror or err}. Files already complete there are kept (no file is left "
        "half-written); free space or fix the folder, then run the same command again."
    )


def worker_died(out_dir: Path, err: BaseException) -> str:
    """One paragraph for a run whose worker process was killed (most often by the
    system's out-of-memory killer)."""
    return (
        f"a worker process was killed before the run finished ({type(err).__name__}; most often the system's "
        f"out-of-memory killer). '{out_dir}' is incomplete: no file there looks finished, and running the same "
        "command again resumes it. With less memory, use fewer workers (run.n_jobs=1) or smaller chunks "
        "(run.chunk_size), or turn off the event log (run.events=false)."
    )


def claim_named_folder(args: list[str]) -> list[str]:
    """Claim the output folder before Hydra writes anything into it (sim/run/folder.py),
    and return the arguments Hydra gets. A sweep's folder is judged and locked for the
    sweep; a run's folder is judged and locked (refused if it holds something else,
    nothing to do if it holds this very run, complete). A folder not named on the command
    line is made now, unique (:func:`default_folder`), and named for Hydra."""
    if any(a in INFO_FLAGS or a.startswith("--cfg=") for a in args):
        return args
    multirun = "-m" in args or "--multirun" in args
    key = "hydra.sweep.dir" if multirun else "hydra.run.dir"
    named = named_dirs(args)
    if key in named and named[key] is None:  # an interpolation: Hydra names it, the run claims it
        return args
    if key not in named and any(a.partition("=")[0] in (*CONFIG_DIR_FLAGS, "--config-name", "-cn") for a in args):
        return args  # another primary config may name its own folder
    config = None if multirun else default_config(run_overrides(args))
    folder = Path(named[key]).expanduser() if key in named else None
    if folder is None:
        folder = default_folder(key)
        if folder is None:
            return args
        args = [*args, f"{key}={folder}"]
    RUNNING.update(key=key, dir=folder)
    if multirun:
        claim_sweep_folder(folder)
    elif claim(folder, config) == "complete":
        print(already_complete(folder, config))
        sys.exit(0)
    return args


def default_folder(key: str) -> Path | None:
    """A new folder of config.yaml's pattern for ``key`` (outputs/<date>/<time>), made
    now so that no other run takes it: runs started in the same second get -2, -3, ...
    None if the pattern holds more than ``${now:...}`` (Hydra then names the folder)."""
    import yaml

    pattern = yaml.safe_load((CONF_DIR / "config.yaml").read_text())["hydra"][key.split(".")[1]]["dir"]
    now = datetime.now()
    base = re.sub(r"\$\{now:([^}]*)\}", lambda m: now.strftime(m[1]), str(pattern))
    if "${" in base:
        return None
    check_out_dir(base, key)
    for n in itertools.count(1):
        folder = Path(base if n == 1 else f"{base}-{n}")
        made = [p for p in (folder, *folder.parents) if not p.exists()]
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
            folder.mkdir()
        except FileExistsError:
            continue
        except OSError as err:
            reason = err.strerror or err
            raise UsageError(f"{key}: cannot make '{folder}': {reason}; name another ({key}=...).") from None
        RUNNING["made"] = made
        return folder
    return None  # unreachable


def forget_sweep_folder() -> None:
    """A sweep refused before any job: remove its ``.lock`` and the folders this command
    made for it, if still empty."""
    if RUNNING.get("key") != "hydra.sweep.dir":
        return
    release(Path(str(RUNNING["dir"])))
    for folder in RUNNING.get("made", []):
        with contextlib.suppress(OSError):
            folder.rmdir()


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


def interrupted() -> str:
    """The message of a run or sweep stopped by Ctrl-C or SIGTERM."""
    if ACTIVE:
        what = f"run the same command (hydra.sweep.dir={ACTIVE['dir']}) to resume the sweep"
    elif RUNNING:
        kind = "sweep" if RUNNING["key"] == "hydra.sweep.dir" else "run"
        what = f"run the same command ({RUNNING['key']}={RUNNING['dir']}) to resume the {kind}"
    else:
        what = "run the same command to start again"
    return f"\nceasefire-sim: interrupted. Finished outputs are kept and no file is left half-written; {what}."


def check_command_line(args: list[str]) -> list[str]:
    """Every check that needs no run: the config's name, the overrides, the size of a
    sweep, the output folders; then claim the folder. Returns Hydra's arguments."""
    check_config_name(args)
    check_overrides(args)
    check_sweep_size(args)
    check_output_dirs(args)
    check_cfg_print(args)
    return claim_named_folder(args)


def main() -> None:
    args = sys.argv[1:]
    if "--version" in args:
        print(f"ceasefire-sim {metadata.version('ceasefire-sim')}")
        return
    signal.signal(signal.SIGTERM, terminated)
    try:
        sys.argv[1:] = check_command_line(args)
    except (ConfigError, UsageError) as err:
        fail(err)
    try:
        hydra_main()
    except SystemExit as exc:
        if exc.code not in (0, None, EXIT_USER_ERROR):
            aggregate_after_failure()  # a sweep stopped by a failed job: keep what finished
        if exc.code == EXIT_USER_ERROR:
            forget_sweep_folder()
        raise
    except KeyboardInterrupt:
        print(interrupted(), file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)


if __name__ == "__main__":
    main()
