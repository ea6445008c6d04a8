"""Small file helpers: every file is written under a temporary name and renamed into
place only when complete, so a crash never leaves a half-written file where a good one
was expected; Parquet is read without Arrow's background threads."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd


@contextmanager
def atomic_path(path: Path | str) -> Iterator[Path]:
    """Yield a temporary sibling of ``path``; rename it to ``path`` if the block succeeds."""
    path = Path(path)
    # a name of its own: two writers of the same file never share a temporary one
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.partial")
    try:
        yield tmp
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)


def write_json(data: Any, path: Path | str) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, default=str) + "\n")
    return Path(path)


def write_parquet(frame: pd.DataFrame, path: Path | str, schema: Any = None) -> Path:
    """``frame`` as Parquet; ``schema`` (a pyarrow schema) fixes its column types."""
    with atomic_path(path) as tmp:
        frame.to_parquet(tmp, index=False, schema=schema)
    return Path(path)


def write_csv(frame: pd.DataFrame, path: Path | str) -> Path:
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False)
    return Path(path)


def write_text(text: str, path: Path | str) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_text(text)
    return Path(path)


def read_parquet(path: Path | str) -> pd.DataFrame:
    """A Parquet file as a DataFrame, read on the calling thread. Arrow's reader threads
    can abort the interpreter at exit ("terminate called without an active exception",
    apache/arrow#34314); the files here are small, so threads buy nothing."""
    import pyarrow.parquet as pq

    return pq.read_table(path, use_threads=False, pre_buffer=False).to_pandas(use_threads=False)
