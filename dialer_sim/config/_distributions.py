"""Duration distributions used by the configuration.

A :class:`Dist` is a frozen, validated description of a non-negative random
duration, drawn in vectorised blocks with an explicit ``rng``.

Conventions
-----------
- Every value is in seconds.
- In TOML a distribution is an inline table, e.g.
  ``talk_time_s = { kind = "lognormal", median = 240.0, sigma = 0.7 }``;
  a bare number means a deterministic duration.

Kinds and their parameters:

================  ==========================================  =======================
kind              parameters                                  mean
================  ==========================================  =======================
``deterministic`` ``value``                                   value
``exponential``   ``mean``                                    mean
``lognormal``     ``median``, ``sigma`` (of the log)          median·exp(sigma²/2)
``gamma``         ``mean``, ``cv`` (coefficient of variation) mean
``uniform``       ``low``, ``high``                           (low + high)/2
``mixture``       ``components = [[weight, low, high], ...]``  Σ w·(low + high)/2
``never``         none (an event that never happens)          inf
================  ==========================================  =======================

``mixture`` is a mixture of uniforms; it describes multi-modal ring times such as
"modes at 6–10 s and 18–22 s, some < 1 s" (docs/sources.md §4.1).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._limits import MAX_CV, MAX_DURATION_S, MAX_MIXTURE_COMPONENTS, MAX_SIGMA, shown
from ..errors import ConfigError

__all__ = ["Dist", "dist_from_value"]

_REQUIRED = {
    "deterministic": ("value",),
    "exponential": ("mean",),
    "lognormal": ("median", "sigma"),
    "gamma": ("mean", "cv"),
    "uniform": ("low", "high"),
    "mixture": ("components",),
    "never": (),
}
_PARAMS = ("value", "mean", "median", "sigma", "cv", "low", "high", "components")


@dataclass(frozen=True)
class Dist:
    """A validated distribution of a non-negative duration in seconds.

    Parameters
    ----------
    kind : str
        One of ``deterministic, exponential, lognormal, gamma, uniform, mixture, never``.
    value, mean, median, sigma, cv, low, high : float, optional
        Parameters of the kind (see the module table); the others must be None.
    components : tuple of (weight, low, high), optional
        Mixture of uniforms; weights are normalised and must be > 0.
    name : str
        Dotted config field the distribution belongs to, used in error messages.

    Examples
    --------
    >>> import numpy as np
    >>> d = Dist("uniform", low=1.0, high=3.0)
    >>> d.mean_s
    2.0
    >>> bool(np.all(d.sample(np.random.default_rng(0), 5) >= 1.0))
    True
    """

    kind: str
    value: float | None = None
    mean: float | None = None
    median: float | None = None
    sigma: float | None = None
    cv: float | None = None
    low: float | None = None
    high: float | None = None
    components: tuple[tuple[float, float, float], ...] | None = None
    name: str = "distribution"

    def __post_init__(self) -> None:
        if not isinstance(self.kind, str) or self.kind not in _REQUIRED:
            raise ConfigError(f"{self.name}.kind must be one of {sorted(_REQUIRED)}; got {shown(self.kind)}.")
        need = _REQUIRED[self.kind]
        for p in _PARAMS:
            given = getattr(self, p) is not None
            if p in need and not given:
                raise ConfigError(f"{self.name}: kind {self.kind!r} needs {p!r}; it is missing.")
            if p not in need and given:
                raise ConfigError(f"{self.name}: kind {self.kind!r} does not take {p!r}; got {getattr(self, p)!r}.")
        self._check_values()

    def _positive(self, field: str, *, allow_zero: bool = False, maximum: float = MAX_DURATION_S) -> None:
        v = getattr(self, field)
        ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
        if not (ok and (v >= 0 if allow_zero else v > 0)):
            rule = ">= 0" if allow_zero else "> 0"
            raise ConfigError(f"{self.name}.{field} must be a finite number {rule}; got {shown(v)}.")
        if v > maximum:
            raise ConfigError(f"{self.name}.{field} must be <= {maximum:g} (the documented bound); got {v!r}.")

    def _check_values(self) -> None:
        k = self.kind
        if k == "deterministic":
            self._positive("value", allow_zero=True)
        elif k == "exponential":
            self._positive("mean")
        elif k == "lognormal":
            self._positive("median")
            self._positive("sigma", allow_zero=True, maximum=MAX_SIGMA)
        elif k == "gamma":
            self._positive("mean")
            self._positive("cv", maximum=MAX_CV)
        elif k == "uniform":
            self._positive("low", allow_zero=True)
            self._positive("high", allow_zero=True)
            if self.high < self.low:
                raise ConfigError(f"{self.name}.high must be >= low ({self.low}); got {self.high}.")
        elif k == "mixture":
            comps = self.components
            if not comps:
                raise ConfigError(f"{self.name}.components must be a non-empty list of [weight, low, high].")
            if len(comps) > MAX_MIXTURE_COMPONENTS:
                raise ConfigError(f"{self.name}.components must hold at most {MAX_MIXTURE_COMPONENTS} "
                                  f"[weight, low, high] entries; got {len(comps)}.")
            for i, c in enumerate(comps):
                if len(c) != 3 or not all(_is_number(x) and math.isfinite(x) for x in c) or c[2] > MAX_DURATION_S:
                    raise ConfigError(f"{self.name}.components[{i}] must be [weight, low, high] with high <= "
                                  f"{MAX_DURATION_S:g}; got {shown(list(c))}.")
                w, lo, hi = c
                if w <= 0 or lo < 0 or hi < lo:
                    raise ConfigError(
                        f"{self.name}.components[{i}] needs weight > 0 and 0 <= low <= high; got {list(c)!r}."
                    )

    @property
    def mean_s(self) -> float:
        """The mean of the distribution in seconds (inf for ``never``)."""
        k = self.kind
        if k == "deterministic":
            return float(self.value)
        if k in ("exponential", "gamma"):
            return float(self.mean)
        if k == "lognormal":
            return float(self.median * math.exp(self.sigma**2 / 2))
        if k == "uniform":
            return (self.low + self.high) / 2
        if k == "mixture":
            w = np.array([c[0] for c in self.components], dtype=float)
            mid = np.array([(c[1] + c[2]) / 2 for c in self.components])
            return float(np.dot(w / w.sum(), mid))
        return math.inf

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` values (seconds) from ``rng``."""
        k = self.kind
        if k == "deterministic":
            return np.full(size, float(self.value))
        if k == "exponential":
            return rng.exponential(self.mean, size)
        if k == "lognormal":
            return self.median * np.exp(self.sigma * rng.standard_normal(size))
        if k == "gamma":
            shape = 1.0 / self.cv**2
            return rng.gamma(shape, self.mean / shape, size)
        if k == "uniform":
            return rng.uniform(self.low, self.high, size)
        if k == "mixture":
            comps = np.asarray(self.components, dtype=float)
            w = comps[:, 0] / comps[:, 0].sum()
            idx = np.searchsorted(np.cumsum(w), rng.random(size), side="right").clip(0, len(w) - 1)
            u = rng.random(size)
            return comps[idx, 1] + u * (comps[idx, 2] - comps[idx, 1])
        return np.full(size, math.inf)

    def to_value(self) -> Any:
        """The TOML/JSON form: a number for deterministic, else an inline table."""
        if self.kind == "deterministic":
            return float(self.value)
        out: dict[str, Any] = {"kind": self.kind}
        for p in _PARAMS:
            v = getattr(self, p)
            if v is not None:
                out[p] = [list(c) for c in v] if p == "components" else v
        return out


def _is_number(x: Any) -> bool:
    """A real number and not a boolean (TOML's true is no duration or weight)."""
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def dist_from_value(value: Any, *, name: str) -> Dist:
    """Build a :class:`Dist` from its TOML/JSON form (number or inline table)."""
    if isinstance(value, Dist):
        return value
    if isinstance(value, bool):
        raise ConfigError(f"{name} must be a number of seconds or a distribution table; got {value!r}.")
    if isinstance(value, (int, float)):
        return Dist("deterministic", value=float(value), name=name)
    if not isinstance(value, Mapping):
        raise ConfigError(f"{name} must be a number of seconds or a distribution table; got {shown(value)}.")
    params = dict(value)
    kind = params.pop("kind", None)
    if kind is None:
        raise ConfigError(f"{name} needs a 'kind' (one of {sorted(_REQUIRED)}).")
    unknown = sorted(set(params) - set(_PARAMS))
    if unknown:
        raise ConfigError(f"{name}: unknown key {unknown[0]!r} for a distribution (allowed: {', '.join(_PARAMS)}).")
    if "components" in params and params["components"] is not None:
        comps = params["components"]
        rows_ok = isinstance(comps, (list, tuple)) and all(isinstance(c, (list, tuple)) for c in comps)
        if not rows_ok or len(comps) > MAX_MIXTURE_COMPONENTS or not all(_is_number(x) for c in comps for x in c):
            raise ConfigError(f"{name}.components must be a list of at most {MAX_MIXTURE_COMPONENTS} "
                              f"[weight, low, high] numbers; got {shown(comps)}.")
        params["components"] = tuple(tuple(float(x) for x in c) for c in comps)
    for p in ("value", "mean", "median", "sigma", "cv", "low", "high"):
        if p in params and isinstance(params[p], bool):
            raise ConfigError(f"{name}.{p} must be a number; got {params[p]!r}.")
    return Dist(kind, name=name, **params)
