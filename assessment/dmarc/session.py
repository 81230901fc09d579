"""What the DMARC notebook needs beyond the analysis: the store, display tables, Markdown.

Notebooks hold no functions, so import-and-load, the verdict and fix tables and the
Markdown rendering of a verdict live here. Parameter handling (data folder, as-of
date, the import outcome table) is the TLS-RPT notebook's, shared.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from assessment.dmarc.frames import Frames
from assessment.dmarc.gate import DmarcVerdict, GateStatus
from assessment.dmarc.ingest import ImportResult, import_sources
from assessment.dmarc.store import DmarcStore
from assessment.intake.outcomes import record_sources, source_outcomes
from assessment.tlsrpt.session import import_table, parse_as_of
from assessment.workspace import RunFolder, Workspace

__all__ = [
    "ClientReports",
    "fixes_table",
    "import_and_load",
    "import_table",
    "parse_as_of",
    "primary_domain",
    "verdict_markdown",
    "verdict_table",
]

_STATUS_LABEL = {
    GateStatus.READY_FOR_REJECT: "READY for p=reject",
    GateStatus.READY_FOR_QUARANTINE: "READY for p=quarantine (not yet reject)",
    GateStatus.NOT_READY: "NOT READY to enforce",
    GateStatus.INSUFFICIENT_DATA: "INSUFFICIENT DATA to decide",
}


@dataclass(frozen=True)
class ClientReports:
    store: Path
    imported: ImportResult
    frames: Frames


def import_and_load(
    client: str,
    sources: Sequence[str | Path],
    data_dir: str | Path = "",
    run_dir: str | Path = "",
) -> ClientReports:
    """Import ``sources`` into the client's DMARC store (duplicates skipped) and read its frames.

    With a ``run_dir``, what each source yielded is also recorded in that run's run.json
    (`RunInfo.sources`, kind ``dmarc``), as the TLS-RPT import does.
    """
    if isinstance(sources, str | Path):
        # A lone string would be imported character by character, "/" first.
        raise TypeError(f"sources must be a list of sources, not the single {sources!r}")
    path = Workspace.at(data_dir).client(client).dmarc_store
    with DmarcStore(path) as store:
        result = import_sources(store, list(sources))
        frames = store.frames()
    if str(run_dir).strip():
        record_sources(RunFolder(Path(run_dir)), source_outcomes(sources, result, kind="dmarc"))
    return ClientReports(path, result, frames)


def primary_domain(frames: Frames) -> str:
    """The policy domain with the most messages (the one a consultant looks at first)."""
    records = frames.records
    if records.empty:
        return ""
    volume = records.groupby("policy_domain")["messages"].sum()
    return str(volume.sort_values(ascending=False, kind="stable").index[0])


def verdict_table(verdicts: Mapping[str, DmarcVerdict]) -> pd.DataFrame:
    """The verdict figures, one row per domain."""
    columns = [
        "domain",
        "status",
        "current_policy",
        "window",
        "days_covered",
        "reporters",
        "messages",
        "legitimate",
        "aligned",
        "aligned_share",
        "forwarded",
        "unauthenticated",
        "to_fix",
    ]
    return pd.DataFrame(
        [
            {
                "domain": v.domain,
                "status": v.status.value,
                "current_policy": v.current_policy or "",
                "window": f"{v.window_start} to {v.window_end}",
                "days_covered": v.days_covered,
                "reporters": len(v.reporters),
                "messages": v.messages,
                "legitimate": v.legitimate_messages,
                "aligned": v.aligned_messages,
                "aligned_share": None if v.aligned_share is None else round(v.aligned_share, 4),
                "forwarded": v.forwarded_messages,
                "unauthenticated": v.unauthenticated_messages,
                "to_fix": ", ".join(f.sender for f in v.to_fix),
            }
            for v in verdicts.values()
        ],
        columns=columns,
    )


def fixes_table(verdicts: Mapping[str, DmarcVerdict]) -> pd.DataFrame:
    """The senders to fix, in order, with the exact change (one row per sender and domain)."""
    columns = [
        "domain",
        "order",
        "sender",
        "kind",
        "messages",
        "share",
        "days",
        "action",
        "records",
    ]
    return pd.DataFrame(
        [
            {
                "domain": v.domain,
                "order": n,
                "sender": f.sender,
                "kind": f.kind.value,
                "messages": f.messages,
                "share": round(f.share, 4),
                "days": f.days,
                "action": f.action,
                "records": "\n".join(f.records),
            }
            for v in verdicts.values()
            for n, f in enumerate(v.to_fix, start=1)
        ],
        columns=columns,
    )


def verdict_markdown(verdict: DmarcVerdict) -> str:
    """The verdict as Markdown: status headline, blockers, senders to fix, then the reasoning."""
    lines = [f"### {verdict.domain}: {_STATUS_LABEL[verdict.status]}", ""]
    if verdict.blockers:
        lines += ["**Blockers**", ""] + [f"- {_md(b)}" for b in verdict.blockers] + [""]
    if verdict.to_fix:
        lines += ["**Senders to fix, in order**", ""]
        for n, fix in enumerate(verdict.to_fix, start=1):
            lines.append(f"{n}. **{_md(fix.sender)}**: {_md(fix.action)}")
            lines += [f"    - `{record}`" for record in fix.records]
        lines.append("")
    lines += ["**Why**", ""] + [f"- {_md(r)}" for r in verdict.reasons]
    return "\n".join(lines)


def _md(text: str) -> str:
    # Reporter names, domains and comments come from report files: keep them from
    # becoming markup.
    return "".join("\\" + ch if ch in "\\`*_[]<>#|" else ch for ch in text)
