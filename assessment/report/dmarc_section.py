"""The "Who sends mail as you" part of the report: the DMARC aggregate reports, per domain:
the senders, what passes, what must be fixed before p=quarantine and p=reject, and the verdict."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from assessment.dmarc import charts, inventory
from assessment.dmarc.frames import Frames
from assessment.dmarc.gate import DmarcVerdict, GateStatus
from assessment.report.formatting import long_date
from assessment.report.sections import Chart

_TONE = {
    GateStatus.READY_FOR_REJECT: "good",
    GateStatus.READY_FOR_QUARANTINE: "partial",
    GateStatus.NOT_READY: "bad",
    GateStatus.INSUFFICIENT_DATA: "unknown",
}
_KIND = {
    inventory.Category.ALIGNED: "passes DMARC",
    inventory.Category.SERVICE: "fails: a service to fix",
    inventory.Category.FORWARDED: "forwarded or a mailing list",
}
NAMED_ROWS = 8


@dataclass(frozen=True)
class SenderRowView:
    sender: str
    kind: str
    messages: str
    passing: str
    note: str


@dataclass(frozen=True)
class FixView:
    sender: str
    action: str
    records: tuple[str, ...]


@dataclass(frozen=True)
class DmarcDomainView:
    domain: str
    status: str
    tone: str
    basis: str
    blockers: tuple[str, ...]
    fixes: tuple[FixView, ...]
    senders: tuple[SenderRowView, ...]
    chart: Chart | None


@dataclass(frozen=True)
class DmarcSection:
    domains: tuple[DmarcDomainView, ...]
    gates: tuple[str, ...]
    """The conditions the verdict applies, in words."""


def _share(part: object, whole: int) -> str:
    return f"{int(part) / whole:.0%}" if whole else "0%"  # type: ignore[call-overload]


def _note(row: pd.Series) -> str:
    """What the reports show of one sender, beyond the column beside it."""
    category = inventory.Category(row["category"])
    messages = int(row["messages"])
    if category is inventory.Category.ALIGNED:
        return (
            f"DKIM aligned: {_share(row['dkim_aligned'], messages)} of its mail; "
            f"SPF aligned: {_share(row['spf_aligned'], messages)}"
        )
    if category is inventory.Category.SERVICE:
        # What exactly fails (a key not published, a return path elsewhere) is the fix's own
        # text, right below the table.
        return "its mail fails DMARC: the fix is below the table"
    return str(row["evidence"])


def _rows(table: pd.DataFrame) -> tuple[SenderRowView, ...]:
    rows: list[SenderRowView] = []
    named = table[table["category"].isin(list(_KIND))]
    for _, row in named.sort_values("messages", ascending=False).head(NAMED_ROWS).iterrows():
        share = row["aligned_share"]
        rows.append(
            SenderRowView(
                sender=str(row["sender"]),
                kind=_KIND[inventory.Category(row["category"])],
                messages=f"{int(row['messages']):,}",
                passing="" if pd.isna(share) else f"{float(share):.0%}",
                note=_note(row),
            )
        )
    rest = table[~table["category"].isin(list(_KIND))]
    if not rest.empty:
        rows.append(
            SenderRowView(
                sender=f"{len(rest)} other addresses",
                kind="not authenticated as you",
                messages=f"{int(rest['messages'].sum()):,}",
                passing=f"{int(rest['aligned'].sum()) / max(int(rest['messages'].sum()), 1):.0%}",
                note="spoofing, or one-off senders; rejected once DMARC enforces",
            )
        )
    return tuple(rows)


def build_dmarc_section(
    frames: Frames, verdicts: Mapping[str, DmarcVerdict], domains: Sequence[str]
) -> DmarcSection | None:
    """The section for the client's domains that have reports; None when none has."""
    classified = inventory.classify(frames)
    views: list[DmarcDomainView] = []
    gates: tuple[str, ...] = ()
    for domain in domains:
        verdict = verdicts.get(domain)
        if verdict is None or verdict.days_covered == 0:
            continue
        gates = verdict.gates.describe()
        # The table and the chart show the verdict's window, so their figures add up to the
        # ones the verdict quotes (a weekly report begun before the window stays out).
        days = classified["day"]
        window = classified[
            (days >= pd.Timestamp(verdict.window_start))
            & (days <= pd.Timestamp(verdict.window_end))
        ]
        table = inventory.senders(window)
        mine = table[table["policy_domain"] == domain]
        figure = charts.daily_chart(window, domain)
        views.append(
            DmarcDomainView(
                domain=domain,
                status=verdict.status.label[:1].upper() + verdict.status.label[1:],
                tone=_TONE[verdict.status],
                basis=verdict.reasons[0] if verdict.reasons else "",
                blockers=verdict.blockers,
                fixes=tuple(FixView(f.sender, f.action, f.records) for f in verdict.to_fix),
                senders=_rows(mine),
                chart=Chart(
                    f"Messages sent as {domain} per day, {long_date(verdict.window_start)} to "
                    f"{long_date(verdict.window_end)}",
                    charts.figure_to_svg(figure, f"dmarc-{len(views)}"),
                ),
            )
        )
    if not views:
        return None
    return DmarcSection(tuple(views), gates)
