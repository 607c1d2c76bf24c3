"""The experiments' chart style (experiments/plotting.py): what a reader needs on every chart."""

from __future__ import annotations

import numpy as np

from experiments import plotting as P


def test_figure_problems_names_missing_titles_and_labels_and_accepts_a_complete_chart():
    fig, axes = P.figure(1, 2, sharey=True)
    assert P.figure_problems(fig) == ["panel 0 has no title", "panel 0 has no x label", "panel 0 has no y label",
                                      "panel 1 has no title", "panel 1 has no x label", "panel 1 has no y label"]
    fig.suptitle("two panels")
    axes[0].set_ylabel("rate, %")  # shared with panel 1
    axes[0].set_xlabel("day")
    assert P.figure_problems(fig) == ["panel 1 has no x label"]
    axes[1].set_xlabel("day")
    assert P.figure_problems(fig) == []


def test_stacked_breakdown_stacks_the_four_parts_to_the_total_and_names_the_rule():
    fig, ax = P.figure()
    rows = [{"regime_rate_dialer_drops": 0.02, "regime_rate_amd_false_positives": 0.07,
             "regime_rate_late_connects": 0.05, "regime_rate_callee_hangups": 0.01, "rate": 0.15,
             "ci95_low": 0.14, "ci95_high": 0.16, "dialer_drop_rate": 0.018}]
    P.stacked_breakdown(ax, ["progressive"], rows, regime="ofcom2010", clock="2 s from speech start", limit_pct=3.0)
    tops = [p.get_y() + p.get_height() for p in ax.patches]
    assert len(ax.patches) == 4
    assert np.isclose(max(tops), 15.0)
    assert "Ofcom 2010 rule, 2 s from speech start" in ax.get_ylabel()
    assert ax.get_ylim()[0] == 0.0
    labels = ax.get_legend_handles_labels()[1]
    assert "dialer's own drop rate" in labels
    assert "Ofcom 2010 limit 3 %" in labels


def test_regime_name_states_the_clock():
    assert P.regime_name("ofcom2010", "speech_start", 2.0) == "Ofcom 2010 rule, 2 s from the first word"
    assert P.regime_name("ftc", "2 s from greeting end") == "FTC TSR rule, 2 s from greeting end"
