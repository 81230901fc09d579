"""``mailposture tlsrpt import|summary``: the command-line face of the TLS-RPT store.

Exit status of ``import``: 0 when every source given was read and no item was rejected
(duplicates are fine), 1 when items were rejected or a source gave nothing, 2 when the
import could not run at all (no usable store, bad client name). Good items are always
imported, whatever happens to the others.

The store, the parser and pandas are imported only when a command runs: building the
parser (``mailposture --help``) must stay cheap.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import UTC, date, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TextIO

if TYPE_CHECKING:
    from assessment.intake.workers import WorkerPool
    from assessment.tlsrpt.ingest import ImportResult
    from assessment.tlsrpt.store import TlsRptStore
    from assessment.workspace import SourceOutcome

EXIT_OK: Final = 0
EXIT_INCOMPLETE: Final = 1
EXIT_CANNOT_RUN: Final = 2

_SHOWN_REJECTIONS: Final = 15
_BAR_WIDTH: Final = 30


def add_tlsrpt_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Register ``tlsrpt import`` and ``tlsrpt summary`` under the main CLI."""
    tlsrpt = subparsers.add_parser("tlsrpt", help="import and summarise TLS-RPT reports")
    # The metavar is what argparse names when the subcommand is missing.
    actions = tlsrpt.add_subparsers(
        dest="tlsrpt_command", required=True, metavar="{import,summary}"
    )

    importer = actions.add_parser(
        "import",
        help="import reports from files, folders, mbox, Maildir or imaps:// URLs",
        description="Import TLS-RPT reports into the client's store. Reports already in the "
        "store are recognised and stored once; every good report is imported, whatever "
        "happens to the others.",
        epilog="exit status: 0 every source was read and nothing was rejected (duplicates are "
        "fine); 1 items were rejected or a source gave nothing (listed on the output); "
        "2 the import could not run (unusable store or client name).",
    )
    importer.add_argument(
        "--client", required=True, help="client name; each client has its own store"
    )
    importer.add_argument(
        "sources",
        nargs="+",
        metavar="SOURCE",
        help="a report file (.json, .json.gz, .zip, .eml), a folder (walked recursively), "
        "an mbox file, a Maildir, or imaps://user@host[:port]/FOLDER "
        "(password in $MAILPOSTURE_IMAP_PASSWORD)",
    )
    importer.add_argument(
        "--json", action="store_true", help="print the result as JSON instead of text"
    )
    importer.set_defaults(handler=run_import)

    summary = actions.add_parser(
        "summary",
        help="counts and the MTA-STS enforce verdict per domain",
        description="What the client's TLS-RPT store holds, and per policy domain whether "
        "MTA-STS can be switched to enforce.",
    )
    summary.add_argument("--client", required=True, help="client name whose store to read")
    summary.add_argument(
        "--since",
        type=_date_arg,
        default=None,
        metavar="DATE",
        help="only reports starting on or after DATE, an ISO date such as 2025-11-01 "
        "(default: all reports)",
    )
    summary.add_argument(
        "--json", action="store_true", help="print the counts and verdicts as JSON"
    )
    summary.set_defaults(handler=run_summary)


def _date_arg(text: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO date such as 2025-11-01"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _store_path(args: argparse.Namespace) -> Path:
    from assessment.workspace import Workspace, WorkspaceError

    if not args.client.strip():
        raise WorkspaceError("--client is empty: give the client's name")
    return Workspace.at(getattr(args, "data", None)).client(args.client).tlsrpt_store


def _fail(message: object) -> int:
    print(f"mailposture tlsrpt: {message}", file=sys.stderr)
    return EXIT_CANNOT_RUN


def _open_store(args: argparse.Namespace) -> TlsRptStore:
    from assessment.tlsrpt.store import TlsRptStore

    return TlsRptStore(_store_path(args))


def run_import(args: argparse.Namespace) -> int:
    from assessment.intake.workers import with_early_workers

    # The parse workers start first, before this command's own modules load (~0.1 s).
    return with_early_workers(
        args.sources, "assessment.tlsrpt.worker", lambda started: _import(args, started)
    )


def _import(args: argparse.Namespace, started: WorkerPool | None) -> int:
    from assessment.intake.outcomes import source_outcomes
    from assessment.tlsrpt.ingest import import_sources
    from assessment.tlsrpt.store import StoreError
    from assessment.workspace import WorkspaceError

    progress = _progress_bar(sys.stderr) if sys.stderr.isatty() else None
    try:
        with _open_store(args) as store:
            result = import_sources(store, args.sources, progress, started=started)
    except (StoreError, WorkspaceError) as exc:
        return _fail(exc)
    if progress is not None:
        sys.stderr.write("\n")
    outcomes = source_outcomes(args.sources, result)
    if args.json:
        print(json.dumps(import_json(result, outcomes), indent=2))
    else:
        print(import_text(result, outcomes))
    return import_exit_code(result, outcomes)


def import_exit_code(result: ImportResult, outcomes: tuple[SourceOutcome, ...]) -> int:
    """0 all read and nothing rejected; 1 rejections or a source that gave nothing."""
    if result.rejected or any(o.failed for o in outcomes):
        return EXIT_INCOMPLETE
    return EXIT_OK


def source_line(outcome: SourceOutcome) -> str:
    """One source's outcome in words, e.g. for `assess` and `tlsrpt import`."""
    if outcome.error:
        return f"{outcome.source}: not read: {outcome.error}"
    text = (
        f"{outcome.source}: {outcome.imported} imported, {outcome.duplicate} already in the "
        f"store, {outcome.rejected} rejected"
    )
    if outcome.failed:
        text += " (no report from this source)"
    return text


def import_json(result: ImportResult, outcomes: tuple[SourceOutcome, ...] = ()) -> dict[str, Any]:
    return {
        "imported": result.imported,
        "duplicate": result.duplicate,
        "rejected": [
            {"source": rejection.source, "reason": rejection.reason}
            for rejection in result.rejected
        ],
        "items": len(result.items),
        "sources": [
            {
                "source": o.source,
                "imported": o.imported,
                "duplicate": o.duplicate,
                "rejected": o.rejected,
                "error": o.error,
            }
            for o in outcomes
        ],
    }


def import_text(result: ImportResult, outcomes: tuple[SourceOutcome, ...] = ()) -> str:
    lines = [
        f"imported {result.imported}, duplicate {result.duplicate}, "
        f"rejected {len(result.rejected)} (of {len(result.items)} items)"
    ]
    if len(outcomes) > 1 or any(o.failed for o in outcomes):
        lines.append("by source:")
        lines.extend(f"  {source_line(o)}" for o in outcomes)
    if result.rejected:
        reasons = Counter(rejection.reason for rejection in result.rejected)
        lines.append("rejections by reason:")
        lines.extend(f"  {count:>6}  {reason}" for reason, count in reasons.most_common(8))
        lines.append("rejected items:")
        lines.extend(
            f"  {rejection.source}: {rejection.reason}"
            for rejection in result.rejected[:_SHOWN_REJECTIONS]
        )
        if len(result.rejected) > _SHOWN_REJECTIONS:
            lines.append(f"  ... and {len(result.rejected) - _SHOWN_REJECTIONS} more")
    return "\n".join(lines)


def _progress_bar(stream: TextIO) -> Any:
    def show(done: int, total: int) -> None:
        filled = _BAR_WIDTH * done // max(total, 1)
        bar = "#" * filled + "-" * (_BAR_WIDTH - filled)
        stream.write(f"\r[{bar}] {done}/{total}")
        stream.flush()

    return show


def run_summary(args: argparse.Namespace) -> int:
    import dataclasses

    from assessment.tlsrpt.gate import enforce_verdicts
    from assessment.tlsrpt.store import StoreError
    from assessment.workspace import WorkspaceError

    try:
        path = _store_path(args)
        if not path.exists():
            return _fail(f"no TLS-RPT store for client {args.client!r} yet (expected {path})")
        with _open_store(args) as store:
            counts = store.summary(args.since)
            frames = store.frames(since=args.since)
    except (StoreError, WorkspaceError) as exc:
        return _fail(exc)
    verdicts = enforce_verdicts(frames, datetime.now(UTC).date())
    verdict_json = {domain: _plain(dataclasses.asdict(v)) for domain, v in verdicts.items()}
    if args.json:
        print(json.dumps({**counts, "verdicts": verdict_json}, indent=2))
        return EXIT_OK
    for key, value in counts.items():
        print(f"{key.replace('_', ' '):<20} {value}")
    for domain, verdict in verdicts.items():
        print(f"{domain}: {verdict.status}")
        for reason in verdict.reasons:
            print(f"  - {reason}")
    return EXIT_OK


def _plain(value: Any) -> Any:
    """JSON-ready copy of an ``asdict`` result: enums, dates and tuples made plain."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value
