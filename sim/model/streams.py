"""Seeds and random streams: one generator per stochastic process, for common random numbers.

A replicate's seed is the i-th child of ``numpy.random.SeedSequence(run.seed)``
(:func:`replicate_seeds`), so it depends neither on how many replicates there are nor on
how they are split among workers. Inside a replicate each process (militant attacks,
accidental clashes, the monitor, the states' choices, the talks, the crossings) draws
from its own stream (:class:`RandomStreams`), handed to the actor that owns the process.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, fields

import numpy as np


def replicate_seeds(seed: int, n: int) -> list[int]:
    """One 63-bit seed per replicate, spawned from the master seed."""
    children = np.random.SeedSequence(seed).spawn(n)
    return [int(c.generate_state(1, np.uint64)[0] >> np.uint64(1)) for c in children]


def _stream_seeds(seed: int | None, n: int) -> list[int]:
    return [int(c.generate_state(1, np.uint64)[0]) for c in np.random.SeedSequence(seed).spawn(n)]


@dataclass(frozen=True)
class RandomStreams:
    """One generator per stochastic process, spawned from the replicate's seed.

    Replicate i of two sweep points then sees the same militant attacks and the same
    accidents for as long as the two histories agree, rather than draws shifted by a
    single extra draw elsewhere, so differences between points are paired (common random
    numbers; Law, *Simulation Modeling and Analysis*, 5th ed., sec. 11.2).

    Each actor is handed its stream once; :meth:`reseed` re-seeds the same generator
    objects in place, so that the actors holding them follow.
    """

    militants: random.Random
    accidents: random.Random
    monitor: random.Random
    states: random.Random
    talks: random.Random
    crossings: random.Random
    implementation: random.Random  # last: the earlier streams stay what they were before it was added

    @classmethod
    def spawn(cls, seed: int | None) -> RandomStreams:
        names = [f.name for f in fields(cls)]
        return cls(**{n: random.Random(s) for n, s in zip(names, _stream_seeds(seed, len(names)), strict=True)})

    def reseed(self, seed: int) -> None:
        """Every stream from now on as if spawned from ``seed`` (``random.Random(s)`` is
        ``seed(s)``: the same state)."""
        streams = [getattr(self, f.name) for f in fields(self)]
        for stream, s in zip(streams, _stream_seeds(seed, len(streams)), strict=True):
            stream.seed(s)
