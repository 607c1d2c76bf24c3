"""The command-line conventions (oneline): one line on stderr and exit 2 for every error, 130 for Ctrl-C."""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

import pytest

import oneline
from oneline import OneLineParser, command_parser, one_line, report_errors, run_subcommand

ROOT = Path(__file__).resolve().parent.parent


def test_a_usage_mistake_is_one_line_naming_the_command(capsys):
    parser = OneLineParser(prog="tool")
    parser.add_argument("--n", type=int)
    with pytest.raises(SystemExit) as exit_:
        parser.parse_args(["--n", "x"])
    assert exit_.value.code == 2
    assert capsys.readouterr().err == "tool: error: argument --n: invalid int value: 'x' (see tool --help)\n"


@pytest.mark.parametrize(
    ("exc", "line"),
    [
        (FileNotFoundError(2, "No such file or directory", "a.csv"), "No such file or directory: a.csv"),
        (OSError(18, "Invalid cross-device link", "a", None, "b"), "Invalid cross-device link: a -> b"),
        (OSError(28, "No space left on device"), "No space left on device"),
        (OSError("disk gone\nreally"), "disk gone really"),
        (ValueError("`n` must be\n   >= 1; got 0."), "`n` must be >= 1; got 0."),
        (ValueError(), "ValueError"),
    ],
)
def test_one_line_gives_the_reason_and_the_files_on_one_line(exc, line):
    assert one_line(exc) == line


def _raise(exc: BaseException):
    def body():
        raise exc
    return body


def test_report_errors_turns_the_named_errors_into_one_line_and_exit_2(capsys):
    assert report_errors("tool run", lambda: None, errors=(ValueError,)) == 0
    assert report_errors("tool run", lambda: 3, errors=(ValueError,)) == 3
    assert report_errors("tool run", _raise(ValueError("bad\nvalue")), errors=(ValueError,)) == 2
    assert capsys.readouterr().err == "tool run: error: bad value\n"


def test_report_errors_keeps_the_traceback_of_other_errors():
    with pytest.raises(KeyError):
        report_errors("tool", _raise(KeyError("bug")), errors=(ValueError, OSError))


def test_ctrl_c_is_one_line_saying_what_was_kept_and_exit_130(capsys):
    assert report_errors("tool", _raise(KeyboardInterrupt()), errors=(ValueError,)) == 130
    assert capsys.readouterr().err == "tool: interrupted; finished results are kept.\n"
    assert report_errors("tool", _raise(KeyboardInterrupt()), errors=(ValueError,), interrupted="nothing.") == 130
    assert capsys.readouterr().err == "tool: interrupted; nothing.\n"


class _Subcommand:
    """A module-like object with ``register``, as command_parser imports by name."""

    @staticmethod
    def register(sub: argparse._SubParsersAction) -> None:
        p = sub.add_parser("go", help="fail or succeed")
        p.add_argument("--fail", action="store_true")
        p.set_defaults(func=lambda args: (_ for _ in ()).throw(OSError(13, "Permission denied", "x")) if args.fail
                       else 0)


def test_run_subcommand_names_the_subcommand_in_its_errors(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "oneline_test_subcommand", _Subcommand)
    parser = command_parser("tool", "A tool.", ["oneline_test_subcommand"])
    assert run_subcommand(parser, ["go"], errors=(OSError,)) == 0
    assert run_subcommand(parser, ["go", "--fail"], errors=(OSError,)) == 2
    assert capsys.readouterr().err == "tool go: error: Permission denied: x\n"
    with pytest.raises(SystemExit) as exit_:
        run_subcommand(parser, ["go", "--what"], errors=(OSError,))
    assert exit_.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_oneline_imports_only_the_standard_library():
    """Both halves of the project may import it, so it may import neither (nor anything outside the stdlib)."""
    tree = ast.parse(Path(oneline.__file__).read_text(encoding="utf-8"))
    names = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    names |= {(node.module or "").split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert names - {"__future__"} <= set(sys.stdlib_module_names)
