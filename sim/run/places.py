"""Where a run may write: the folders no run, sweep or study ever writes into, and the
checks of a folder named on the command line (``hydra.run.dir``, ``hydra.sweep.dir``,
``--out``) before anything is written into it.

Refused, whatever else the command says (``run.overwrite=true`` included):

- the root of the file system, a system folder or anything inside one (:data:`SYSTEM_TREES`),
  and the folders that hold everyone's folders (:data:`SHARED`: ``/tmp``, ``/home``, ...;
  a folder of your own inside them is fine);
- your home folder, and any folder above it;
- a folder above this project, or inside its source tree (``results/`` folders aside);
- a folder that holds a project, a repository or a virtual environment (:data:`PROJECT_MARKS`);
- a name longer than the file system allows, and a folder that cannot be made or written.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from ..core.errors import UsageError

#: The project's source tree: no run writes into these (results/ folders aside).
ROOT = Path(__file__).resolve().parent.parent.parent
SOURCE = ("sim", "conf", "tests", "docs", "notebooks", ".git", ".ci", "experiments", "benchmarks")
RESULTS_OK = ("experiments/results", "benchmarks/results")
#: System folders: no run writes into them or into anything inside them.
SYSTEM_TREES = (
    "/proc",
    "/sys",
    "/dev",
    "/etc",
    "/boot",
    "/bin",
    "/sbin",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/usr",
    "/private/etc",
    "/System",
    "/Library",
)
#: Folders that hold everyone's folders: never a run's folder themselves (one inside them is fine).
SHARED = (
    "/",
    "/tmp",
    "/var",
    "/var/tmp",
    "/opt",
    "/srv",
    "/home",
    "/root",
    "/mnt",
    "/media",
    "/run",
    "/snap",
    "/Users",
    "/Volumes",
    "/private",
    "/private/tmp",
    "/private/var",
)
#: What marks a folder as a project, a repository or a virtual environment.
PROJECT_MARKS = ("pyproject.toml", "setup.py", ".git", "pyvenv.cfg")
#: The file system's limits on one name and on a whole path (Linux's NAME_MAX, PATH_MAX).
NAME_MAX = 255
PATH_MAX = 4096


def example(key: str) -> str:
    """A folder the message of ``key`` suggests instead."""
    return {
        "hydra.run.dir": "hydra.run.dir=outputs/NAME (the default is outputs/<date>/<time>)",
        "hydra.sweep.dir": "hydra.sweep.dir=multirun/NAME (the default is multirun/<date>/<time>)",
    }.get(key, f"{key} results/NAME")


def check_name(path: Path, key: str) -> None:
    """Every name in the path fits the file system (255 bytes), and so does the whole path."""
    long = next((part for part in path.parts if len(os.fsencode(part)) > NAME_MAX), None)
    if long is not None:
        raise UsageError(
            f"{key}: the name '{long[:40]}...' has {len(os.fsencode(long))} characters; a file or folder name may "
            f"have at most {NAME_MAX}. Give a shorter one, e.g. {example(key)}."
        )
    total = len(os.fsencode(str(path.expanduser().absolute())))
    if total >= PATH_MAX:
        raise UsageError(
            f"{key}: the path has {total} characters; at most {PATH_MAX - 1} are allowed. Give a shorter one, "
            f"e.g. {example(key)}."
        )


def _home() -> Path | None:
    try:
        return Path.home().resolve()
    except (RuntimeError, OSError):  # no HOME and no user entry
        return None


def _holds_mark(path: Path) -> str | None:
    for mark in PROJECT_MARKS:
        try:
            if os.path.lexists(path / mark):
                return mark
        except OSError:
            continue
    return None


def why_not(path: Path) -> str | None:
    """Why no run may write into the resolved folder ``path``, or None."""
    if path == Path(path.anchor):
        return "the root of the file system"
    tree = next((t for t in SYSTEM_TREES if path.is_relative_to(t)), None)
    if tree is not None:
        return f"a system folder ({tree})" if str(path) == tree else f"inside a system folder ({tree})"
    home = _home()
    if home is not None and home.is_relative_to(path):
        return "your home folder" if path == home else f"a folder that holds your home folder ({home})"
    if str(path) in SHARED:
        return "a folder that holds everyone's folders"
    if (ROOT / "pyproject.toml").exists() and ROOT.is_relative_to(path):
        return f"a folder that holds this project ({ROOT})"
    mark = _holds_mark(path)
    if mark is not None:
        return f"a folder that holds a project, a repository or a virtual environment (it has {mark})"
    return None


def resolved(folder: Path, key: str) -> Path:
    """``folder`` with ``~`` expanded and symbolic links followed (UsageError if the
    file system cannot say where it is)."""
    try:
        return folder.expanduser().resolve()
    except (OSError, RuntimeError) as err:
        raise UsageError(f"{key}: cannot find where '{folder}' is: {err}. Give another folder.") from None


def check_not_in_source(path: Path, key: str = "hydra.run.dir") -> None:
    """Refuse a folder that is the project's root or inside its source tree."""
    path = resolved(path, key)
    if not (ROOT / "pyproject.toml").exists():  # an installed package: no source tree
        return
    if (
        path == ROOT
        or any(path.is_relative_to(ROOT / d) for d in SOURCE)
        and not any(path.is_relative_to(ROOT / ok) for ok in RESULTS_OK)
    ):
        raise UsageError(
            f"{key}: '{path}' is inside the project's source tree ({ROOT}): outputs would overwrite its files. "
            f"Choose a folder outside it, e.g. {example(key)}."
        )


def check_target(folder: Path, key: str) -> Path:
    """Refuse a folder no run writes into (the module's list), whatever the command says;
    return it resolved. Writes nothing."""
    check_name(folder, key)
    path = resolved(folder, key)
    reason = why_not(path)
    if reason is not None:
        raise UsageError(
            f"{key}: '{folder}' is {reason}; no run, sweep or study writes there, and run.overwrite=true does not "
            f"change that. Give a folder of your own, e.g. {example(key)}."
        )
    check_not_in_source(path, key)
    return path


def check_out_dir(path: Path | str, flag: str) -> Path:
    """The folder a command writes into (``--out``, ``hydra.run.dir``, a sweep folder to
    aggregate): not empty, not a place no run writes (:func:`check_target`), not a file,
    and one that can be made and written here, tried by making it and a file in it and
    removing what was made. Returns the resolved path; raises :class:`UsageError`."""
    if not str(path).strip():  # give the text: Path("") is "."
        raise UsageError(f"{flag} is empty: it would write into the current folder. Give one, e.g. {example(flag)}.")
    folder = check_target(Path(path), flag)
    blocking = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        what = "is a file" if blocking == folder else f"cannot be made: '{blocking}' is a file"
        raise UsageError(f"{flag}: '{path}' {what}, not a folder. Give a folder, e.g. {example(flag)}.")
    probe_writable(folder, flag)
    return folder


def probe_writable(folder: Path, flag: str) -> None:
    """Make ``folder`` (and its missing parents) and a file in it, then remove what was
    made; UsageError naming ``flag`` if the file system says no."""
    made: list[Path] = []
    try:
        for parent in reversed([p for p in (folder, *folder.parents) if not p.exists()]):
            parent.mkdir()
            made.append(parent)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".write-test-")
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        raise UsageError(
            f"{flag}: cannot write into '{folder}': {err.strerror or err}. Give a folder you can write to, "
            f"e.g. {example(flag)}."
        ) from None
    finally:
        for parent in reversed(made):
            with contextlib.suppress(OSError):
                parent.rmdir()


def out_dir_arg(value: str) -> Path:
    """``--out`` for argparse (``type=out_dir_arg``): :func:`check_out_dir`, its refusal
    as argparse's one-line error (exit code 2)."""
    import argparse

    try:
        return check_out_dir(value, "--out")
    except UsageError as err:
        raise argparse.ArgumentTypeError(str(err).removeprefix("--out: ")) from None
