"""What the TLS-RPT notebook needs beyond the analysis: parameters, the store, display text.

Notebooks hold no functions, so parameter handling (``""`` means "the default") and the
Markdown rendering of a verdict live here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Final

import pandas as pd

from assessment.tlsrpt.analyze import STS
from assessment.tlsrpt.batch import Outcome
from assessment.tlsrpt.frames import Frames
from assessment.tlsrpt.gate import EnforceStatus, EnforceVerdict
from assessment.tlsrpt.ingest import ImportResult, ItemOutcome, import_sources
from assessment.tlsrpt.store import TlsRptStore
from assessment.workspace import RunFolder, SourceOutcome, Workspace

_STATUS_LABEL: Final = {
    EnforceStatus.READY: "READY for mode: enforce",
    EnforceStatus.NOT_READY: "NOT READY for mode: enforce",
    EnforceStatus.INSUFFICIENT_DATA: "INSUFFICIENT DATA to decide",
}


@dataclass(frozen=True)
class ClientReports:
    store: Path
    imported: ImportResult
    frames: Frames


def parse_as_of(as_of: str | date = "") -> date:
    """An ISO date parameter; ``""`` means today (UTC)."""
    if isinstance(as_of, date):
        return as_of
    text = as_of.strip()
    if not text:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"as_of must be an ISO date such as 2025-11-22, not {as_of!r}") from None


def import_and_load(
    client: str,
    sources: Sequence[str | Path],
    data_dir: str | Path = "",
    run_dir: str | Path = "",
) -> ClientReports:
    """Import ``sources`` into the client's store (duplicates are skipped) and read its frames.

    With a ``run_dir``, what each source yielded is also recorded in that run's run.json
    (`RunInfo.sources`): the report and the command line say which sources failed.
    """
    if isinstance(sources, str | Path):
        # A lone string would be imported character by character, "/" first.
        raise TypeError(f"sources must be a list of sources, not the single {sources!r}")
    path = Workspace.at(data_dir).client(client).tlsrpt_store
    with TlsRptStore(path) as store:
        result = import_sources(store, list(sources))
        frames = store.frames()
    if str(run_dir).strip():
        record_sources(RunFolder(Path(run_dir)), source_outcomes(sources, result))
    return ClientReports(path, result, frames)


def source_outcomes(
    sources: Sequence[str | Path], result: ImportResult
) -> tuple[SourceOutcome, ...]:
    """What each given source yielded, in the order given (passwords never shown).

    A source that could not be read at all (missing, IMAP server unreachable, no password)
    yields exactly one rejected item standing for the source itself: that is its error.
    """
    from assessment.gather.imap import redacted

    by_source: dict[str, list[ItemOutcome]] = {str(s): [] for s in sources}
    for item in result.items:
        by_source.setdefault(item.source, []).append(item)
    outcomes = []
    for source, items in by_source.items():
        counts = Counter(item.outcome for item in items)
        error = ""
        if len(items) == 1 and counts[Outcome.REJECTED] == 1 and _is_whole_source(items[0]):
            error = items[0].reason
        elif not items:
            error = "no report files found"
        outcomes.append(
            SourceOutcome(
                kind="tlsrpt",
                source=redacted(source),
                imported=counts[Outcome.IMPORTED],
                duplicate=counts[Outcome.DUPLICATE],
                rejected=0 if error else counts[Outcome.REJECTED],
                error=error,
            )
        )
    return tuple(outcomes)


def _is_whole_source(item: ItemOutcome) -> bool:
    # Unit-level failures name the source (or its IMAP location) as the item.
    return item.item in (item.source, str(Path(item.source))) or item.item.startswith("imaps://")


def record_sources(run: RunFolder, outcomes: Sequence[SourceOutcome]) -> None:
    """Replace this kind's source outcomes in the run's run.json (other kinds are kept)."""
    info = run.read_info()
    kinds = {o.kind for o in outcomes}
    kept = tuple(o for o in info.sources if o.kind not in kinds)
    run.write_info(replace(info, sources=kept + tuple(outcomes)))


def import_table(result: ImportResult) -> pd.DataFrame:
    """One row per import outcome kind, then one per rejected item with its reason."""
    rows = [
        {"outcome": "imported", "count": result.imported, "detail": ""},
        {"outcome": "duplicate (already in the store)", "count": result.duplicate, "detail": ""},
    ]
    rows += [
        {"outcome": "rejected", "count": 1, "detail": f"{r.source}: {r.reason}"}
        for r in result.rejected
    ]
    return pd.DataFrame(rows, columns=["outcome", "count", "detail"])


def primary_domain(frames: Frames) -> str:
    """The policy domain with the most sts sessions (the one a consultant looks at first)."""
    sts = frames.policies[frames.policies["policy_type"] == STS]
    if sts.empty:
        return ""
    sessions = (sts["successful"] + sts["failed"]).groupby(sts["policy_domain"]).sum()
    return str(sessions.sort_values(ascending=False, kind="stable").index[0])


def verdict_table(verdicts: Mapping[str, EnforceVerdict]) -> pd.DataFrame:
    """The verdict figures, one row per domain."""
    return pd.DataFrame(
        [
            {
                "domain": v.domain,
                "status": v.status.value,
                "window": f"{v.window_start} to {v.window_end}",
                "days_covered": v.days_covered,
                "reporters": len(v.reporters),
                "successful": v.total_successful,
                "failed": v.total_failed,
                "failure_rate": v.failure_rate,
                "failing_mx": ", ".join(v.failing_mx),
            }
            for v in verdicts.values()
        ],
        columns=[
            "domain",
            "status",
            "window",
            "days_covered",
            "reporters",
            "successful",
            "failed",
            "failure_rate",
            "failing_mx",
        ],
    )


def verdict_markdown(verdict: EnforceVerdict) -> str:
    """The verdict as Markdown: status headline, blockers, then the reasoning."""
    lines = [f"### {verdict.domain}: {_STATUS_LABEL[verdict.status]}", ""]
    if verdict.blockers:
        lines += ["**Blockers**", ""] + [f"- {_md(b)}" for b in verdict.blockers] + [""]
    lines += ["**Why**", ""] + [f"- {_md(r)}" for r in verdict.reasons]
    return "\n".join(lines)


def _md(text: str) -> str:
    # Reporter names and hostnames come from report files: keep them from becoming markup.
    return "".join("\\" + ch if ch in "\\`*_[]<>#|" else ch for ch in text)
