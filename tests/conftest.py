"""Shared fixtures: the default configuration, composed once by Hydra."""

from __future__ import annotations

import pytest

from sim.run.config import default_config, with_values
from sim.schema import Config


@pytest.fixture(scope="session")
def config() -> Config:
    return default_config()


@pytest.fixture(scope="session")
def small(config: Config) -> Config:
    """The default scenario, few replicates, one worker: for fast tests."""
    return with_values(config, {"run.replicates": 40, "run.n_jobs": 1, "run.chunk_size": 10, "run.progress": False})
