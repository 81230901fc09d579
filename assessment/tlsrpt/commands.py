"""``mailposture tlsrpt import|summary``: the command-line face of the TLS-RPT store."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections import Counter
from datetime import UTC, date, datetime
from enum import Enum
from pathlib import Path
from typing import Any, Final, TextIO

from assessment.tlsrpt.gate import enforce_verdicts
from assessment.tlsrpt.ingest import ImportResult, import_sources
from assessment.tlsrpt.store import StoreError, TlsRptStore
from assessment.workspace import Workspace, WorkspaceError

_SHOWN_REJECTIONS: Final = 15
_BAR_WIDTH: Final = 30


def add_tlsrpt_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``tlsrpt import`` and ``tlsrpt summary`` under the main CLI."""
    tlsrpt = subparsers.add_parser("tlsrpt", help="import and summarise TLS-RPT reports")
    actions = tlsrpt.add_subparsers(dest="tlsrpt_command", required=True)

    importer = actions.add_parser(
        "import",
        help="import reports from files, folders, mbox, Maildir or imaps:// URLs",
    )
    importer.add_argument("--client", required=True, help="client name (store per client)")
    importer.add_argument("sources", nargs="+", metavar="SOURCE")
    importer.add_argument("--json", action="store_true", help="print a JSON result")
    importer.set_defaults(handler=run_import)

    summary = actions.add_parser(
        "summary", help="counts and the MTA-STS enforce verdict per domain"
    )
    summary.add_argument("--client", required=True)
    summary.add_argument(
        "--since", type=_date_arg, default=None, help="only reports starting on/after DATE"
    )
    summary.add_argument("--json", action="store_true", help="print JSON")
    summary.set_defaults(handler=run_summary)


def _date_arg(text: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date: {text!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _store_path(args: argparse.Namespace) -> Path:
    return Workspace.at(getattr(args, "data", None)).client(args.client).tlsrpt_store


def _open_store(args: argparse.Namespace) -> TlsRptStore | None:
    try:
        return TlsRptStore(_store_path(args))
    except (StoreError, WorkspaceError) as exc:
        print(f"mailposture tlsrpt: {exc}", file=sys.stderr)
        return None


def run_import(args: argparse.Namespace) -> int:
    store = _open_store(args)
    if store is None:
        return 2
    progress = _progress_bar(sys.stderr) if sys.stderr.isatty() else None
    try:
        with store:
            result = import_sources(store, args.sources, progress)
    except StoreError as exc:
        print(f"mailposture tlsrpt: {exc}", file=sys.stderr)
        return 2
    if progress is not None:
        sys.stderr.write("\n")
    if args.json:
        print(json.dumps(import_json(result), indent=2))
    else:
        print(import_text(result))
    return 0


def import_json(result: ImportResult) -> dict[str, Any]:
    return {
        "imported": result.imported,
        "duplicate": result.duplicate,
        "rejected": [
            {"source": rejection.source, "reason": rejection.reason}
            for rejection in result.rejected
        ],
        "items": len(result.items),
    }


def import_text(result: ImportResult) -> str:
    lines = [
        f"imported {result.imported}, duplicate {result.duplicate}, "
        f"rejected {len(result.rejected)} (of {len(result.items)} items)"
    ]
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
    try:
        path = _store_path(args)
    except WorkspaceError as exc:
        print(f"mailposture tlsrpt: {exc}", file=sys.stderr)
        return 2
    if not path.exists():
        print(f"mailposture tlsrpt: no TLS-RPT store for this client at {path}", file=sys.stderr)
        return 2
    store = _open_store(args)
    if store is None:
        return 2
    with store:
        counts = store.summary(args.since)
        frames = store.frames(since=args.since)
    verdicts = enforce_verdicts(frames, datetime.now(UTC).date())
    verdict_json = {domain: _plain(dataclasses.asdict(v)) for domain, v in verdicts.items()}
    if args.json:
        print(json.dumps({**counts, "verdicts": verdict_json}, indent=2))
        return 0
    for key, value in counts.items():
        print(f"{key.replace('_', ' '):<20} {value}")
    for domain, verdict in verdicts.items():
        print(f"{domain}: {verdict.status}")
        for reason in verdict.reasons:
            print(f"  - {reason}")
    return 0


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
