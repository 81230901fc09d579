"""`mailposture portfolio` and `mailposture diff`: the command-line face of the portfolio.

Imported when the parser is built, so it imports nothing heavy at module level.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from assessment.diff import RunDiff
    from assessment.model import NetworkProfile

NetworkOptions = Callable[[argparse.ArgumentParser], None]
ProfileFromArgs = Callable[[argparse.Namespace], "NetworkProfile"]


def add_portfolio_parsers(
    subparsers: argparse._SubParsersAction[Any],
    network_options: NetworkOptions,
    profile_from_args: ProfileFromArgs,
) -> None:
    """Register `portfolio` and `diff`. The caller lends its network options and the function
    that turns them into a profile, so every command reads them the same way."""
    portfolio = subparsers.add_parser(
        "portfolio",
        help="assess many clients at once and write one table of the book",
        description="Assess every client with a client.toml (or the named ones), each into its "
        "own run folder with its PDF, and write <data>/portfolio/<timestamp>/ with "
        "portfolio.csv, portfolio.html and portfolio.pdf. Exit status: 0 nothing regressed, "
        "1 something regressed since a client's previous run, 2 could not run (or a client "
        "could not be assessed).",
    )
    portfolio.add_argument(
        "clients",
        nargs="*",
        metavar="CLIENT",
        help="client names or folder names (default: every client with a client.toml)",
    )
    portfolio.add_argument(
        "--jobs",
        type=_positive,
        default=None,
        metavar="N",
        help="clients assessed at once on this machine (default: one per core)",
    )
    portfolio.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run the clients on this Dask distributed scheduler (needs mailposture[dask])",
    )
    network_options(portfolio)
    portfolio.set_defaults(handler=lambda args: cmd_portfolio(args, profile_from_args))

    diff = subparsers.add_parser(
        "diff",
        help="what changed between two runs of a client",
        description="Findings new, resolved and changed in severity, records changed, and the "
        "drift rules a reviewer applies, from RUN_A (earlier) to RUN_B (later). Exit status: "
        "0 nothing regressed, 1 RUN_B regressed, 2 a run folder could not be read.",
    )
    diff.add_argument("run_a", metavar="RUN_A", help="the earlier run folder")
    diff.add_argument("run_b", metavar="RUN_B", help="the later run folder")
    diff.add_argument("--json", action="store_true", help="print the comparison as JSON")
    diff.set_defaults(handler=cmd_diff)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


# ------------------------------------------------------------------ portfolio


def cmd_portfolio(args: argparse.Namespace, profile_from_args: ProfileFromArgs) -> int:
    from assessment.errors import ToolError
    from assessment.gather import ResolverUnavailable, check_resolvers
    from assessment.portfolio.executors import DaskExecutor, Executor, LocalExecutor
    from assessment.portfolio.output import consultant_brand
    from assessment.portfolio.runner import run_portfolio, select_clients
    from assessment.progress import ProgressDisplay
    from assessment.report.brand import BrandError
    from assessment.workspace import Workspace

    profile = profile_from_args(args)
    workspace = Workspace.at(args.data)
    count = len(select_clients(workspace, args.clients))
    try:
        # Read before any client is assessed: a broken brand stops the portfolio at once.
        consultant_brand(workspace.root, demo=profile.lab)
    except BrandError as exc:
        raise ToolError(f"brand: {exc}") from None
    executor: Executor
    if args.scheduler:
        # The workers are the vantage point; each job checks its resolvers there.
        executor = DaskExecutor(args.scheduler)
    else:
        try:
            check_resolvers(profile)
        except ResolverUnavailable as exc:
            raise ToolError(f"DNS does not work from here: {exc}") from exc
        executor = LocalExecutor(args.jobs)
    title = f"Assessing {count} client{'s' if count != 1 else ''}"
    with ProgressDisplay(title, count) as progress:
        result = run_portfolio(workspace, profile, executor, args.clients, progress=progress)
    print(result.files.folder)
    for outcome in result.outcomes:
        if outcome.failed:
            print(f"FAILED     {outcome.name}: {outcome.error}")
        for reason in outcome.regressions:
            print(f"REGRESSED  {outcome.name}: {reason}")
    return result.exit_code


# ------------------------------------------------------------------ diff


def cmd_diff(args: argparse.Namespace) -> int:
    from assessment.diff import DiffError, diff_folders
    from assessment.errors import ToolError

    try:
        diff = diff_folders(Path(args.run_a), Path(args.run_b))
    except DiffError as exc:
        raise ToolError(str(exc)) from None
    if args.json:
        sys.stdout.write(json.dumps(diff.to_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        write_diff(diff, sys.stdout)
    return 1 if diff.regressed else 0


def write_diff(diff: RunDiff, out: TextIO) -> None:
    """The comparison as plain text, most important first."""
    print(f"From the run of {diff.before_started} to the run of {diff.after_started}", file=out)
    if diff.empty:
        print("Nothing changed.", file=out)
        return
    reasons = diff.regressions()
    if reasons:
        print(f"\nRegressed ({len(reasons)}):", file=out)
        for reason in reasons:
            print(f"  {reason}", file=out)
    sections: list[tuple[str, list[str]]] = [
        ("Grades", [f"{g.domain}: {g.before or '-'} -> {g.after or '-'}" for g in diff.grades]),
        (
            "Drift",
            [f"{d.domain}: {d.rule.headline}. {d.detail} {d.rule.why}" for d in diff.drift],
        ),
        ("New findings", [_finding(f.severity.value, f.domain, f.code, f.title) for f in diff.new]),
        (
            "Severity changed",
            [
                _finding(
                    f"{c.before.severity.value} -> {c.after.severity.value}",
                    c.after.domain,
                    c.after.code,
                    c.after.title,
                )
                for c in diff.changed
            ],
        ),
        (
            "Resolved",
            [_finding(f.severity.value, f.domain, f.code, f.title) for f in diff.resolved],
        ),
        (
            "Records changed",
            [
                f"{r.domain}: {r.record.label} at {r.name}: {_value(r.before)} -> {_value(r.after)}"
                for r in diff.records
            ],
        ),
    ]
    for title, lines in sections:
        if lines:
            print(f"\n{title} ({len(lines)}):", file=out)
            for line in lines:
                print(f"  {line}", file=out)


def _finding(severity: str, domain: str, code: str, title: str) -> str:
    return f"{severity:<9} {domain}  {code}  {title}"


def _value(text: str | None) -> str:
    if text is None:
        return "(none)"
    return " / ".join(text.splitlines())
