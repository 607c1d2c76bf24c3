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
