"""Random variates pre-drawn in blocks from named streams.

Drawing one value at a time from numpy costs about a microsecond of overhead;
drawing 4096 at once and handing out Python floats costs a few tens of
nanoseconds each. Each quantity has its own stream, so the sequence a quantity
sees does not depend on how often the others are used: the i-th dial attempt
draws the i-th network outcome whatever the pacing policy (common random
numbers, `docs/architecture.md` "Randomness").

Conventions
-----------
Stream names are spawned from the replication's ``SeedSequence`` in the fixed
order of :data:`STREAM_NAMES`; new streams are appended at the end, never
inserted, so old seeds keep their meaning.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import chain, repeat

import numpy as np

from ..config._distributions import Dist

__all__ = ["STREAM_NAMES", "Block", "make_streams"]

#: Named streams in spawn order (append only).
STREAM_NAMES = (
    "network",      # outcome of each dial attempt (busy, unobtainable, reachable)
    "parties",      # pickup, answer kind
    "ring",         # answer delays and tone-recognition times
    "speech",       # speech start and greeting length
    "amd",          # AMD label and decision delay
    "talk",         # talk time and machine handling time
    "wrap",         # wrap-up time
    "patience",     # dead-air patience of live callees
    "arrivals",     # open-loop inter-arrival times
    "message",      # reserved: recorded-message lengths
    "population",   # list mode: fixed traits of each number (strategy, voicemail, ...)
    "screening",    # list mode: each attempt's pick-up and screening decisions
    "complaints",   # list mode: complaints to the community blocklist
    "recognition",  # how long an agent takes to recognise a live person (amd.undecided_action)
    "ping",         # ping dialer: ring times and the call-backs they provoke
    "consent",      # list mode with [consent]: consent traits, withdrawals, renewals, complaints
)

BLOCK_SIZE = 4096


def make_streams(seed_seq: np.random.SeedSequence) -> dict[str, np.random.Generator]:
    """One PCG64 generator per name of :data:`STREAM_NAMES`, the i-th from child ``i`` of ``seed_seq``.

    The children are derived from ``seed_seq``'s entropy and spawn key, not with
    ``seed_seq.spawn``: spawning advances the SeedSequence's counter, so calling
    this twice on the same object (every pacing policy on one replication's
    seed, or a seed that travelled to a worker) would otherwise give different
    streams. Equal to the first ``seed_seq.spawn(len(STREAM_NAMES))``.
    """
    key = tuple(seed_seq.spawn_key)
    children = [np.random.SeedSequence(seed_seq.entropy, spawn_key=key + (i,), pool_size=seed_seq.pool_size)
                for i in range(len(STREAM_NAMES))]
    return {name: np.random.Generator(np.random.PCG64(child)) for name, child in zip(STREAM_NAMES, children, strict=True)}


class Block:
    """Hands out variates one at a time from blocks drawn by ``fill(n)``.

    ``Block(fill)`` returns a zero-argument callable: each call returns the next
    value as a Python float, and a new block is drawn when one runs out (so the
    generator is consumed in exactly the same order as one value at a time). The
    callable is the ``__next__`` of an endless ``itertools.chain`` of blocks, all
    in C between refills: about a quarter faster than a Python generator that
    yields from each block, and twice as fast as a ``__call__`` method.
    """

    def __new__(cls, fill: Callable[[int], np.ndarray], block_size: int = BLOCK_SIZE) -> Callable[[], float]:
        blocks = map(lambda n: fill(n).tolist(), repeat(block_size))  # lazy: one block at a time
        return chain.from_iterable(blocks).__next__

    @classmethod
    def uniform(cls, rng: np.random.Generator) -> Callable[[], float]:
        """A block of U(0, 1) variates."""
        return cls(rng.random)

    @classmethod
    def of(cls, dist: Dist, rng: np.random.Generator) -> Callable[[], float]:
        """A block of draws from ``dist``."""
        return cls(lambda n: dist.sample(rng, n))
