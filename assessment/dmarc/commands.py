"""``mailposture dmarc import|summary``: the command-line face of the DMARC store.

Exit status: 0 when every source was read (duplicates are fine); 1 when items were
rejected or a source gave no report at all; 2, with a one-line reason, when the
command could not run (unusable store, no store yet for ``summary``).

The store, the parser and pandas are imported only when a command runs: building the
parser (``mailposture --help``) must stay cheap.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections import Counter
from datetime import UTC, date, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TextIO

if TYPE_CHECKING:
    from assessment.dmarc.gate import DmarcVerdict
    from assessment.dmarc.ingest import ImportResult
    from assessment.intake.workers import WorkerPool

EXIT_OK: Final = 0
EXIT_REJECTED: Final = 1
EXIT_CANNOT_RUN: Final = 2
_SHOWN_REJECTIONS: Final = 15
_SHOWN_SENDERS: Final = 8
_BAR_WIDTH: Final = 30
_PREFIX: Final = "mailposture dmarc"


def add_dmarc_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Register ``dmarc import`` and ``dmarc summary`` under the main CLI."""
    dmarc = subparsers.add_parser("dmarc", help="import and summarise DMARC aggregate reports")
    # The metavar is what argparse names when the subcommand is missing.
    actions = dmarc.add_subparsers(dest="dmarc_command", required=True, metavar="{import,summary}")

    importer = actions.add_parser(
        "import",
        help="import reports from files, folders, mbox, Maildir or imaps:// URLs",
        description="Import DMARC aggregate (rua) reports into the client's store. Reports "
        "already in the store are recognised and stored once; every good report is imported, "
        "whatever happens to the others.",
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
        help="a report file (.xml, .xml.gz, .zip, .eml), a folder (walked recursively), "
        "an mbox file, a Maildir, or imaps://user@host[:port]/FOLDER "
        "(password in $MAILPOSTURE_IMAP_PASSWORD)",
    )
    importer.add_argument(
        "--json", action="store_true", help="print the result as JSON instead of text"
    )
    importer.set_defaults(handler=run_import)

    summary = actions.add_parser(
        "summary",
        help="senders, and whether p=quarantine or p=reject is safe, per domain",
        description="Who sends mail as the client, per domain and sender, and per domain "
        "whether DMARC can move to p=reject, with the senders to fix first.",
    )
    summary.add_argument("--client", required=True, help="client name whose store to read")
    summary.add_argument(
        "--since",
        type=_date_arg,
        default=None,
        metavar="DATE",
        help="only reports beginning on or after DATE, an ISO date such as 2025-11-01 "
        "(default: all reports)",
    )
    summary.add_argument(
        "--as-of",
        type=_day_arg,
        default=None,
        metavar="DATE",
        help="judge as of this day (default: today, UTC); the gate reviews the days before it",
    )
    summary.add_argument(
        "--json", action="store_true", help="print the senders and verdicts as JSON"
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


def _day_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO date such as 2025-11-01"
        ) from None


def _store_path(args: argparse.Namespace) -> Path:
    from assessment.workspace import Workspace, WorkspaceError

    if not args.client.strip():
        raise WorkspaceError("--client is empty: give the client's name")
    data = getattr(args, "data", None)
    return Workspace.at(data).client(args.client).dmarc_store


def _fail(message: object) -> int:
    print(f"{_PREFIX}: {message}".splitlines()[0], file=sys.stderr)
    return EXIT_CANNOT_RUN


def run_import(args: argparse.Namespace) -> int:
    from assessment.intake.workers import with_early_workers

    # The parse workers start first, before this command's own modules load (~0.1 s).
    return with_early_workers(
        args.sources, "assessment.dmarc.worker", lambda started: _import(args, started)
    )


def _import(args: argparse.Namespace, started: WorkerPool | None) -> int:
    from assessment.dmarc.ingest import import_sources
    from assessment.dmarc.store import DmarcStore, StoreError

    try:
        store = DmarcStore(_store_path(args))
    except (StoreError, ValueError) as exc:
        return _fail(exc)
    progress = _progress_bar(sys.stderr) if sys.stderr.isatty() else None
    try:
        with store:
            result = import_sources(store, args.sources, progress, started=started)
    except StoreError as exc:
        return _fail(exc)
    if progress is not None:
        sys.stderr.write("\n")
    empty = _empty_sources(args.sources, result)
    if args.json:
        print(json.dumps(import_json(result, empty), indent=2))
    else:
        print(import_text(result, empty))
    return EXIT_REJECTED if result.rejected or empty else EXIT_OK


def _empty_sources(sources: list[str], result: ImportResult) -> list[str]:
    """Sources that gave no report at all (an empty folder, nothing but rejections)."""
    from assessment.intake.batch import Outcome

    taken = {
        item.source
        for item in result.items
        if item.outcome in (Outcome.IMPORTED, Outcome.DUPLICATE)
    }
    named = {item.source for item in result.items}
    # A source with rejected items is already reported through them.
    return [s for s in dict.fromkeys(sources) if s not in taken and s not in named]


def import_json(result: ImportResult, empty: list[str] | None = None) -> dict[str, Any]:
    rejected = [{"source": r.source, "reason": r.reason} for r in result.rejected]
    rejected += [{"source": s, "reason": "no report found in this source"} for s in empty or ()]
    return {
        "imported": result.imported,
        "duplicate": result.duplicate,
        "rejected": rejected,
        "items": len(result.items),
    }


def import_text(result: ImportResult, empty: list[str] | None = None) -> str:
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
    lines.extend(f"no report found in {source}" for source in empty or ())
    return "\n".join(lines)


def _progress_bar(stream: TextIO) -> Any:
    def show(done: int, total: int) -> None:
        filled = _BAR_WIDTH * done // max(total, 1)
        bar = "#" * filled + "-" * (_BAR_WIDTH - filled)
        stream.write(f"\r[{bar}] {done}/{total}")
        stream.flush()

    return show


def run_summary(args: argparse.Namespace) -> int:
    from assessment.dmarc.gate import dmarc_verdicts
    from assessment.dmarc.inventory import classify, senders
    from assessment.dmarc.store import DmarcStore, StoreError

    try:
        path = _store_path(args)
    except ValueError as exc:
        return _fail(exc)
    if not path.exists():
        return _fail(f"no DMARC store for this client at {path} (run 'mailposture dmarc import')")
    try:
        with DmarcStore(path) as store:
            counts = store.summary(args.since)
            frames = store.frames(since=args.since)
    except StoreError as exc:
        return _fail(exc)
    as_of = args.as_of or datetime.now(UTC).date()
    classified = classify(frames)
    table = senders(classified)
    verdicts = dmarc_verdicts(frames, as_of)
    if args.json:
        print(json.dumps(summary_json(counts, table, verdicts, as_of), indent=2))
        return EXIT_OK
    print(summary_text(counts, table, verdicts))
    return EXIT_OK


def summary_json(
    counts: dict[str, Any], table: Any, verdicts: dict[str, DmarcVerdict], as_of: date
) -> dict[str, Any]:
    sender_rows = [
        {
            "domain": row["policy_domain"],
            "source": row["sender"],
            "service": row["service"],
            "category": str(row["category"]),
            "messages": int(row["messages"]),
            "aligned": int(row["aligned"]),
            "failing": int(row["failing"]),
            "dkim_aligned": int(row["dkim_aligned"]),
            "spf_aligned": int(row["spf_aligned"]),
            "source_ips": int(row["sources"]),
            "days": int(row["days"]),
            "reporters": int(row["reporters"]),
            "header_from": row["header_from"],
        }
        for row in table.to_dict("records")
    ]
    return {
        "reports": counts["reports"],
        "messages": counts["messages"],
        "records": counts["records"],
        "first": counts["first"],
        "last": counts["last"],
        "as_of": as_of.isoformat(),
        "senders": sender_rows,
        "verdicts": {domain: _plain(dataclasses.asdict(v)) for domain, v in verdicts.items()},
    }


def summary_text(counts: dict[str, Any], table: Any, verdicts: dict[str, DmarcVerdict]) -> str:
    """Per domain (most mail first): its main senders, then the gate's verdict and fixes."""
    lines = [
        f"{counts['reports']} reports, {counts['messages']:,} messages in {counts['records']:,} "
        f"records, {counts['domains']} domain(s), {counts['reporters']} reporter name(s)"
    ]
    volume = table.groupby("policy_domain")["messages"].sum() if len(table) else {}
    domains = sorted(set(verdicts) | set(volume.keys()), key=lambda d: (-volume.get(d, 0), d))
    for domain in domains:
        rows = table[table["policy_domain"] == domain] if len(table) else table
        lines += ["", f"== {domain}"]
        if len(rows):
            lines.append(f"  {'sender':<30} {'category':<16} {'messages':>9} {'passing':>8}")
            for row in rows.head(_SHOWN_SENDERS).to_dict("records"):
                lines.append(
                    f"  {_cut(row['sender'], 30):<30} {_cut(str(row['category']), 16):<16} "
                    f"{row['messages']:>9,} {row['aligned']:>8,}"
                )
            if len(rows) > _SHOWN_SENDERS:
                lines.append(f"  ... and {len(rows) - _SHOWN_SENDERS} more senders (see --json)")
        verdict = verdicts.get(domain)
        if verdict is None:
            continue
        lines.append(f"  verdict: {verdict.status.label}")
        lines += [f"  ! {blocker}" for blocker in verdict.blockers]
        lines += [f"  - {reason}" for reason in verdict.reasons]
        for n, fix in enumerate(verdict.to_fix, start=1):
            lines.append(f"  fix {n}. {fix.sender}: {fix.action}")
            lines += [f"         {record}" for record in fix.records]
    return "\n".join(lines)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


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
