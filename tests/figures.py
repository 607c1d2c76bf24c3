"""Test helper: record what every figure an experiment saves lacks (title, axis labels), via matplotlib objects."""

from __future__ import annotations

import contextlib
from unittest import mock

from matplotlib.figure import Figure

from experiments.plotting import figure_problems

#: The first eight bytes of every PNG file.
PNG = b"\x89PNG\r\n\x1a\n"


@contextlib.contextmanager
def figure_checks():
    """Yield a list that fills with ``(title, problems)`` for every figure saved inside the block.

    ``title`` is the figure's suptitle or its first panel's title (files are written under temporary
    names, so the figure names itself).
    """
    found: list[tuple[str, list[str]]] = []
    original = Figure.savefig

    def savefig(self, fname, *args, **kwargs):
        found.append((self.get_suptitle() or (self.axes[0].get_title() if self.axes else ""), figure_problems(self)))
        return original(self, fname, *args, **kwargs)

    with mock.patch.object(Figure, "savefig", savefig):
        yield found


def run_checking_figures(tmp_path_factory, name: str, run):
    """Run ``run(out)`` in a fresh folder ``name``; return ``(out, what run returned, figures)``.

    ``figures`` holds ``(title, problems)`` of every figure the run saved (:func:`figure_checks`);
    the experiments' smoke fixtures share it.
    """
    out = tmp_path_factory.mktemp(name)
    with figure_checks() as found:
        result = run(out)
    return out, result, found
