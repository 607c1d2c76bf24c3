"""Whole runs are event-for-event those of the reference revision: same records, daily and number frames, summary.

The stored hashes in ``tests/data/run_fingerprints.json`` are those of commit 20b83e8, made by this revision's
``tests/run_fingerprints.py`` with a checkout of 20b83e8 first on ``PYTHONPATH``:

    git worktree add --detach /tmp/ref 20b83e8 && cp tests/run_fingerprints.py /tmp/ref/tests/
    PYTHONPATH=/tmp/ref .venv/bin/python /tmp/ref/tests/run_fingerprints.py > tests/data/run_fingerprints.json

They cover list campaigns with every screening strategy, each caller-ID policy, AMD off, leave-message,
connect-at-deadline, several pacing policies, consent (cold and lawful), a ping dialer, a probing robot, the plain
campaign list and three open-loop queues. Floats are hashed to 12 significant digits (`FLOAT_FORMAT`), so another
machine's libm last digits do not count; any change to a draw, its stream or its order, or to a record, changes a
hash.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from run_fingerprints import CASES, fingerprint

STORED = json.loads((Path(__file__).parent / "data" / "run_fingerprints.json").read_text())


def test_every_case_has_a_stored_fingerprint():
    assert sorted(STORED) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_run_gives_the_reference_revisions_records(name):
    assert fingerprint(name) == STORED[name]
