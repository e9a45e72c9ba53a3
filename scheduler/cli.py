"""The `agenda` command: one subcommand per job, each defined in the module that does the job.

Exit codes: 0 success, 2 bad input, 3 no timetable exists (with an explanation), 1 anything else reported.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from scheduler.errors import InputError

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2
EXIT_INFEASIBLE = 3

# Each module defines `add_parser(subparsers)` that registers its subcommand(s) with `func=handler(args) -> int`.
COMMAND_MODULES = [
    "scheduler.commands",
    "scheduler.exchange_cli",
    "scheduler.plots_cli",
    "scheduler.generate_cli",
    "webview.cli",
    "webview.admin_cli",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="agenda", description="Conference agenda and scheduling engine.")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except InputError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        print(f"{len(err.problems)} problem(s) in the input; nothing was written.", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_FAILURE
    except BrokenPipeError:  # the reader went away (`agenda check ... | head`): no traceback, nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit's flush cannot fail again
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
