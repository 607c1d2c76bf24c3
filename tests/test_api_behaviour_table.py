"""The AMD behaviour table in memory: ``run(..., amd_table=...)``, ``amd.table_path`` holding a table, and
the table's content hash and row count in a run's record."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from small_campaign import SMALL_CAMPAIGN

import callvocab as cv
import dialer_sim as ds
from dialer_sim.cli import main
from dialer_sim.records import frame_from_arrow

SMOKE = pd.read_csv(Path(__file__).parent / "data" / "amd_behaviour_smoke.csv")
SMALL = {"campaign": {"n_numbers": 600, "shift_start_s": 32400.0, "shift_length_s": 3600.0},
         "agents": {"n_agents": 6}}


def detector_table(name: str = "asterisk") -> pd.DataFrame:
    """One detector's rows of the stored benchmark table (every answer kind)."""
    return SMOKE[SMOKE["detector"] == name].drop(columns="detector").reset_index(drop=True)


def empirical(table_path) -> ds.DialerConfig:
    return ds.config_from_dict({**SMALL, "amd": {"mode": "empirical", "table_path": table_path}})


def test_a_table_by_path_or_by_object_gives_identical_records(tmp_path):
    """CSV path, Parquet path, DataFrame, BehaviourTable and run(amd_table=...) are the same run."""
    frame = detector_table()
    frame.to_csv(tmp_path / "b.csv", index=False)
    frame.to_parquet(tmp_path / "b.parquet")
    by_path = ds.run(empirical(str(tmp_path / "b.csv")), 7)
    assert by_path.records["amd_label"].isin(cv.AMD_LABELS).sum() > 50
    others = [
        ds.run(empirical(str(tmp_path / "b.parquet")), 7),
        ds.run(empirical(frame), 7),
        ds.run(empirical(cv.BehaviourTable(frame)), 7),
        ds.run(ds.config_from_dict(SMALL), 7, amd_table=frame),
        ds.run(ds.config_from_dict(SMALL), 7, amd_table=tmp_path / "b.csv"),
    ]
    for other in others:
        pd.testing.assert_frame_equal(other.records, by_path.records)
        assert other.summary == pytest.approx(by_path.summary, nan_ok=True)
    assert others[-2].config.amd.mode == "empirical"
    assert others[-2].config.amd.behaviour_table() == by_path.config.amd.behaviour_table()


def test_another_table_gives_other_records(tmp_path):
    """The object is really sampled: a detector that calls every person a machine changes the records."""
    base = ds.run(ds.config_from_dict(SMALL), 7, amd_table=detector_table())
    harsh = detector_table().assign(label="machine")
    other = ds.run(ds.config_from_dict(SMALL), 7, amd_table=harsh)
    labels = other.records["amd_label"].dropna()
    assert len(labels) > 50
    assert (labels == "machine").all()
    assert not other.records.equals(base.records)


def _run_cli(tmp_path, table_file, out) -> dict:
    config = tmp_path / "amd.toml"
    config.write_text(SMALL_CAMPAIGN + f'[amd]\nmode = "empirical"\ntable_path = "{table_file}"\n')
    assert main(["run", str(config), "--out", str(out), "--quiet", "--seed", "3"]) == 0
    return json.loads((out / "config.json").read_text())


def test_config_json_records_the_tables_hash_and_rows_and_a_changed_file_changes_them(tmp_path):
    path = tmp_path / "b.csv"
    frame = detector_table()
    frame.to_csv(path, index=False)
    first = _run_cli(tmp_path, path, tmp_path / "out1")["config"]["amd"]
    assert first["table_path"] == str(path)
    assert first["table_sha256"] == cv.behaviour_sha256(frame)
    assert first["table_rows"] == len(frame) == 36
    frame.loc[0, "decided_at_s"] += 0.01
    frame.to_csv(path, index=False)
    second = _run_cli(tmp_path, path, tmp_path / "out2")["config"]["amd"]
    assert second["table_sha256"] == cv.behaviour_sha256(frame) != first["table_sha256"]
    assert second["table_rows"] == first["table_rows"]


def test_a_record_reproduces_its_run_and_refuses_a_changed_table(tmp_path):
    """config.json rebuilds the run when the table is the one it names, and names the mismatch otherwise."""
    path = tmp_path / "b.csv"
    detector_table().to_csv(path, index=False)
    record = _run_cli(tmp_path, path, tmp_path / "out")["config"]
    again = ds.run(ds.config_from_dict(record), 3)
    stored = frame_from_arrow(pq.read_table(tmp_path / "out" / "records.parquet"))
    pd.testing.assert_frame_equal(again.records, stored)
    detector_table().iloc[1:].to_csv(path, index=False)
    with pytest.raises(ds.ConfigError, match=r"^amd\.table_sha256 must match the table amd\.table_path names"):
        ds.config_from_dict(record)
    with pytest.raises(ds.ConfigError, match=r"^amd\.table_rows must match .* \(35\); got 36"):
        ds.config_from_dict({**record, "amd": {**record["amd"], "table_sha256": cv.behaviour_sha256(
            detector_table().iloc[1:])}})


def test_a_table_in_memory_is_recorded_by_hash_and_kept_by_overrides():
    cfg = ds.apply_overrides(empirical(detector_table()), {"agents.n_agents": 4})
    assert cfg.agents.n_agents == 4
    assert isinstance(cfg.amd.table_path, cv.BehaviourTable)
    plain = ds.config_to_dict(cfg)["amd"]
    assert plain["table_path"] is None
    assert (plain["table_sha256"], plain["table_rows"]) == (cv.behaviour_sha256(detector_table()), 36)
    json.dumps(plain)  # a record is plain JSON
    with pytest.raises(ds.ConfigError, match=r"amd\.table_path must be a path to a behaviour table"):
        ds.config_from_dict({"amd": plain})  # the record names the table; it does not hold it


def test_a_table_read_once_is_not_read_again_by_overrides(tmp_path):
    """A sweep's points sample the table the base config read, even if the file changes meanwhile."""
    path = tmp_path / "b.csv"
    detector_table().to_csv(path, index=False)
    cfg = empirical(str(path))
    path.write_text("not,a\nbehaviour,table\n")
    point = ds.apply_overrides(cfg, {"agents.n_agents": 4})
    assert point.amd.behaviour_table() == cfg.amd.behaviour_table()
    assert ds.config_to_dict(point)["amd"]["table_path"] == str(path)
    with pytest.raises(ds.ConfigError, match="lacks the column"):
        ds.apply_overrides(cfg, {"amd.table_path": str(path)})


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"label": None}, r"^amd\.table_path lacks the column\(s\) \['label'\]; needs \["),
        ({"kind": "robot"}, r"^amd\.table_path: kind must be one of the answer kinds; got 'robot'\.$"),
        ({"label": "maybe"}, r"^amd\.table_path: label must be human, machine or notsure; got 'maybe'\.$"),
        ({"decided_at_s": -0.5}, r"^amd\.table_path: decided_at_s must be a number >= 0 \(row 2\)\.$"),
        ({"decided_at_s": math.inf}, r"^amd\.table_path: decided_at_s must be finite \(row 2\)\.$"),
        ({"speech_start_s": "soon"}, r"^amd\.table_path: speech_start_s must be empty or a finite number >= 0 "
                                     r"\(row 2\); got 'soon'\.$"),
    ],
)
def test_a_bad_table_object_is_one_config_error_line(change, match):
    """The same rules as for a file, one line naming the column, the rule and the value or row."""
    frame = detector_table()
    for column, value in change.items():
        frame = frame.drop(columns=column) if value is None else frame.assign(**{column: value})
    for attempt in (lambda: ds.run(ds.config_from_dict(SMALL), 0, amd_table=frame),
                    lambda: ds.AmdConfig(mode="empirical", table_path=frame)):
        with pytest.raises(ds.ConfigError, match=match) as info:
            attempt()
        assert "\n" not in str(info.value)


def test_a_value_that_is_no_table_is_named():
    with pytest.raises(ds.ConfigError, match=r"^amd\.table_path must be a path string or a behaviour table; "
                                             r"got \[1, 2\]\.$"):
        ds.run(ds.config_from_dict(SMALL), 0, amd_table=[1, 2])


def test_a_sweep_records_every_table_it_samples(tmp_path):
    """sweep.json's spec holds the base table's and each point's table hash, so a changed file is a new sweep."""
    from dialer_sim.sweep import sweep_from_dict

    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    detector_table("asterisk").to_csv(a, index=False)
    detector_table("vad").to_csv(b, index=False)
    data = {"base": {**SMALL, "amd": {"mode": "empirical", "table_path": str(a)}}, "replications": 1, "seed": 1,
            "grid": {"amd.table_path": [str(a), str(b)]}}
    spec = sweep_from_dict(data)
    record = spec.to_dict()
    assert record["base"]["amd"]["table_sha256"] == cv.behaviour_sha256(detector_table("asterisk"))
    assert record["point_tables"] == {"0": cv.BehaviourTable(detector_table("asterisk")).record(),
                                      "1": cv.BehaviourTable(detector_table("vad")).record()}
    detector_table("learned").to_csv(b, index=False)
    assert sweep_from_dict(data).sha256() != spec.sha256()
    assert "point_tables" not in sweep_from_dict({**data, "grid": {"agents.n_agents": [3, 4]}}).to_dict()
