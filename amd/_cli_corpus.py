"""``amd-bench corpus build``: render the labelled AMD corpus (see ``amd.corpus``)."""

from __future__ import annotations

import argparse
import sys
import time

from amd.corpus import build_corpus


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``corpus`` command with its ``build`` action."""
    corpus = subparsers.add_parser(
        "corpus", help="build the labelled answer-kind corpus",
        description="Build the labelled AMD corpus (docs/corpus.md). Actions: build.",
    )
    actions = corpus.add_subparsers(dest="action", metavar="ACTION", required=True)
    build = actions.add_parser(
        "build", help="render clips, labels.csv and corpus.json into a directory",
        description="Render n labelled 8 kHz clips of every answer kind (people, voicemail greetings, carrier "
        "messages, screening assistants, fax) from recorded prompts and synthesised speech through a simulated "
        "telephone channel, with labels.csv (kind, speech and greeting times, split) and corpus.json (seed, "
        "tool versions, SHA-256 of every file). The same seed gives the same corpus.",
    )
    build.add_argument("--out", required=True, metavar="DIR", help="output directory")
    build.add_argument("--seed", type=int, default=0, help="root seed (default 0)")
    build.add_argument("--n-clips", type=int, default=600, help="number of clips (default 600)")
    build.add_argument("--force", action="store_true", help="overwrite an existing corpus in DIR")
    build.set_defaults(func=_build)


def _build(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    labels = build_corpus(args.out, seed=args.seed, n_clips=args.n_clips, force=args.force)
    wall_s = time.perf_counter() - start
    counts = ", ".join(f"{k}={n}" for k, n in labels["kind"].value_counts().sort_index().items())
    print(f"wrote {len(labels)} clips to {args.out} in {wall_s:.1f} s ({counts})", file=sys.stderr)  # noqa: T201
    return 0
