"""The experiments: scripts that join the simulation and the detectors into tables, charts and reports.

Each ``experiments/NAME.py`` runs as ``python experiments/NAME.py --out DIR`` and is importable as
``experiments.NAME``; :mod:`experiments.kit` is what they share (docs/experiments.md).
"""
