"""Shared fixtures."""

from __future__ import annotations

import numpy as np
import pytest

ROOT_SEED = 440


@pytest.fixture(scope="session")
def rng_factory():
    """Build independent, reproducible generators: ``rng_factory(k)``."""

    def make(offset: int = 0) -> np.random.Generator:
        return np.random.default_rng(ROOT_SEED + offset)

    return make


@pytest.fixture
def rng(rng_factory) -> np.random.Generator:
    """A fresh generator with a fixed seed."""
    return rng_factory(0)


@pytest.fixture(scope="session")
def small_corpus(tmp_path_factory):
    """One 45-clip corpus (seed 11), built once and only read by the tests that run detectors on it."""
    from amd.corpus import build_corpus

    corpus = tmp_path_factory.mktemp("small_corpus") / "corpus"
    build_corpus(corpus, seed=11, n_clips=45, progress=False)
    return corpus
