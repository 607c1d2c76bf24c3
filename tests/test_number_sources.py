"""The number-source interface: a new source plugs into the model through the line API alone."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import dialer_sim as ds
from dialer_sim.model import CampaignModel, QueuedNumbers
from dialer_sim.model._draws import make_streams
from dialer_sim.records import RecordSink

PACKAGE = Path(ds.__file__).resolve().parent
RETRY_GAP_S = 600.0


class EvenNumbersTwice(QueuedNumbers):
    """Dials the even numbers only, each at most twice, 600 s apart; who answers comes from the model's draws."""

    def __init__(self, model, streams, dial_list):
        super().__init__([i for i in dial_list if i % 2 == 0])
        self.model = model
        self.ended = []

    def dial(self, number_id, attempt):
        m = self.model
        call = m.new_call(number_id, attempt, "+15550100")
        if m.network_fails(call):
            return
        m.answer(call, "machine_beep")

    def after_attempt(self, call, disposition, seen_as, end_s):
        self.ended.append((call.number_id, call.attempt, disposition, seen_as))
        if call.attempt < 2:
            self.retry_at(end_s + RETRY_GAP_S, call.number_id, call.attempt + 1)


def _config():
    return ds.config_from_dict({
        "campaign": {"n_numbers": 40, "n_shifts": 1, "shift_start_s": 32400, "shift_length_s": 7200},
        "agents": {"n_agents": 2},
        "amd": {"mode": "off"},
        "pacing": {"policy": "progressive"},
    })


def _run_with(source_factory):
    cfg = _config()
    sink = RecordSink(None)
    model = CampaignModel(cfg, make_streams(np.random.SeedSequence(3)), sink, source_factory=source_factory)
    model.run()
    sink.close()
    return model, sink.to_frame()


def test_a_new_source_decides_which_numbers_are_dialled_and_when_they_come_back():
    model, rec = _run_with(EvenNumbersTwice)
    assert isinstance(model.source, EvenNumbersTwice)
    assert set(rec["number_id"]) == set(range(0, 40, 2))
    assert all(sorted(g) == [1, 2] for _, g in rec.groupby("number_id")["attempt"])
    for _, g in rec.sort_values("attempt").groupby("number_id"):
        first, second = g.iloc[0], g.iloc[1]
        assert second["dial_at_s"] >= first["end_at_s"] + RETRY_GAP_S - 1e-9
    answered = rec[rec["network_outcome"] == "answered"]
    assert len(answered) > 0
    assert set(answered["answer_kind"]) == {"machine_beep"}
    assert set(rec["caller_id"]) == {"+15550100"}
    # Every ended attempt reached the source once.
    assert len(model.source.ended) == len(rec)
    assert model.source.exhausted()
    assert model.stats.n_dials == len(rec)


def test_the_same_source_and_seed_give_the_same_records():
    _, a = _run_with(EvenNumbersTwice)
    _, b = _run_with(EvenNumbersTwice)
    assert a.equals(b)


def _private_uses_of_the_model(path: Path) -> list[str]:
    """``m._x`` / ``model._x`` / ``self.model._x`` attribute uses in a module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            base = node.value
            name = base.id if isinstance(base, ast.Name) else (base.attr if isinstance(base, ast.Attribute) else "")
            if name in ("m", "model"):
                found.append(f"{path.name}:{node.lineno} {name}.{node.attr}")
    return found


def test_number_sources_use_only_the_models_public_line_api():
    """Regression: the list campaign called the model's private _u_net, _fail, _busy_s and _rej_s."""
    modules = ["model/_number_sources.py", "model/_list_campaign.py", "model/_open_loop.py", "model/_ping.py"]
    assert [hit for name in modules for hit in _private_uses_of_the_model(PACKAGE / name)] == []


class _Recorder(QueuedNumbers):
    """Records the (number_id, attempt) of each dial; places no call."""

    def __init__(self, dial_list):
        super().__init__(dial_list)
        self.dialled = []

    def dial(self, number_id, attempt):
        self.dialled.append((number_id, attempt))


@settings(max_examples=200, deadline=None)
@given(retries=st.lists(st.tuples(st.sampled_from([5.0, 7.5, 9.0, 12.0]), st.integers(0, 50), st.integers(2, 4)),
                        max_size=30, unique_by=lambda r: r[1]),
       now_s=st.sampled_from([4.0, 7.5, 10.0, 20.0]))
def test_due_retries_become_ready_in_due_then_number_order_before_fresh_numbers(retries, now_s):
    """Retries due at one instant come out by number, whatever order they were queued in, as from one heap."""
    source = _Recorder([100, 101])
    for due_s, number_id, attempt in retries:
        source.retry_at(due_s, number_id, attempt)
    due_now = sorted(r for r in retries if r[0] <= now_s)
    assert source.n_ready(now_s) == 2 + len(due_now)
    later = [r[0] for r in retries if r[0] > now_s]
    assert source.next_due_s() == (min(later) if later else float("inf"))
    for _ in range(len(due_now) + 2):
        source.dial_next()
    assert source.dialled == [(n, a) for _, n, a in due_now] + [(100, 1), (101, 1)]
    assert source.exhausted() == (not later)
