"""The consent campaign that ``consent_vs_cold`` and ``campaign_economics`` both run (docs/consumer_world.md)."""

from __future__ import annotations

import argparse

import dialer_sim as ds
from experiments.kit import CONFIGS, ExperimentError

#: The base campaign of both experiments: a list campaign with [population], [consent] and [economics] sections.
CONFIG = CONFIGS / "consent_campaign.toml"


def check_config(args: argparse.Namespace) -> None:
    """Refuse a ``--config`` without the [consent] and [economics] sections (before ``--out`` is created)."""
    config = ds.load_config(args.config)
    if config.consent is None or config.economics is None:
        raise ExperimentError(f"--config {str(args.config)!r} needs [population], [consent] and [economics] sections "
                              "(see experiments/configs/consent_campaign.toml).")
