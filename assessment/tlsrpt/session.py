"""What the TLS-RPT notebook needs beyond the analysis: parameters, the store, display text.

Notebooks hold no functions, so parameter handling (``""`` means "the default") and the
Markdown rendering of a verdict live here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Final

import pandas as pd

from assessment.intake.outcomes import record_sources, source_outcomes
from assessment.tlsrpt.analyze import STS
from assessment.tlsrpt.frames import Frames
from assessment.tlsrpt.gate import EnforceStatus, EnforceVerdict
from assessment.tlsrpt.ingest import ImportResult, import_sources
from assessment.tlsrpt.store import TlsRptStore
from assessment.workspace import RunFolder, Workspace

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
