"""``amd-bench``: every command and option has a help text, and written files are ordinary 0644 files."""

from __future__ import annotations

import argparse
import os
import stat

import numpy as np
import pytest
import soundfile as sf

from amd.cli import build_parser, main
from atomicdir import atomic_write

COMMANDS = ("run", "train", "rtf", "classify", "detectors", "corpus build")


def _subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    for word in name.split():
        action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = action.choices[word]
    return parser


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_and_option_has_a_help_text(command):
    """Regression: `run`, `train` and `rtf` had no description and most options no help."""
    parser = _subparser(build_parser(), command)
    assert len(parser.description or "") > 30, command
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        assert (action.help or "").strip(), f"{command} {action.option_strings or action.dest}"
    text = parser.format_help()
    assert "%%" not in text


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_written_files_are_0644(tmp_path, umask_022):
    """Regression: files were left with mkstemp's private mode 0600."""
    sf.write(tmp_path / "a.wav", np.zeros(16000), 8000, subtype="PCM_16")
    out = tmp_path / "out" / "labels.csv"
    assert main(["classify", "--detector", "asterisk", "--out", str(out), str(tmp_path / "a.wav")]) == 0
    assert _mode(out) == 0o644
    rtf = tmp_path / "rtf.json"
    assert main(["rtf", "--json", str(rtf), "--duration-s", "2", "--detectors", "asterisk"]) == 0
    assert _mode(rtf) == 0o644
    # The corpus and benchmark tables, charts and clips go through the same writer.
    path = atomic_write(tmp_path / "t.csv", lambda tmp: open(tmp, "w").write("x\n"))
    assert _mode(path) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
