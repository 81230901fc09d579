"""DMARC aggregate rows for the explorer: the filter over `classify_senders` rows and the
explorer's tables.

Each classified row is one ``record`` of a report (messages from one source IP with one set
of results). The explorer adds the ``sender`` it is grouped under (the same key as
`dmarc_senders`) and ``result`` (``pass`` when the message passed DMARC, else ``fail``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Final

import pandas as pd

from assessment.dmarc.inventory import sender_key, senders
from assessment.tlsrpt.analyze import day_timestamp

PASSED: Final = "pass"
FAILED: Final = "fail"


def dmarc_rows(classified: pd.DataFrame) -> pd.DataFrame:
    """``classified`` with ``sender`` and ``result`` columns (a copy; empty stays empty)."""
    if classified.empty:
        return classified.assign(
            sender=pd.Series(dtype="str"), result=pd.Series(dtype="str")
        ).reset_index(drop=True)
    passes = classified["passes"].astype(bool)
    rows = classified.assign(
        sender=sender_key(classified).astype("str"),
        result=passes.map({True: PASSED, False: FAILED}).astype("str"),
        category=classified["category"].astype("str"),
    )
    return rows.reset_index(drop=True)


@dataclass(frozen=True)
class DmarcFilter:
    """What the DMARC explorer shows. An empty set means every value; dates are inclusive
    UTC days (the day a report begins), ``None`` for no bound; ``result`` is ``pass``,
    ``fail`` or ``""`` for both."""

    since: date | None = None
    until: date | None = None
    domains: frozenset[str] = field(default_factory=frozenset)
    senders: frozenset[str] = field(default_factory=frozenset)
    categories: frozenset[str] = field(default_factory=frozenset)
    source_ips: frozenset[str] = field(default_factory=frozenset)
    result: str = ""
    reporters: frozenset[str] = field(default_factory=frozenset)


def filter_dmarc(rows: pd.DataFrame, chosen: DmarcFilter) -> pd.DataFrame:
    """The rows of ``dmarc_rows(...)`` (or of ``classify_senders``, given those columns here)
    that ``chosen`` keeps, index reset."""
    if "result" not in rows.columns:
        rows = dmarc_rows(rows)
    if rows.empty:
        return rows.reset_index(drop=True)
    keep = pd.Series(True, index=rows.index)
    if chosen.since is not None:
        keep &= rows["day"] >= day_timestamp(chosen.since)
    if chosen.until is not None:
        keep &= rows["day"] <= day_timestamp(chosen.until)
    for column, values in (
        ("policy_domain", chosen.domains),
        ("sender", chosen.senders),
        ("category", chosen.categories),
        ("source_ip", chosen.source_ips),
        ("reporter", chosen.reporters),
    ):
        if values:
            keep &= rows[column].isin(list(values))
    if chosen.result:
        keep &= rows["result"] == chosen.result
    return rows[keep].reset_index(drop=True)


def messages_per_day(rows: pd.DataFrame) -> pd.DataFrame:
    """Messages per day and DMARC result, long (``day``, ``outcome``, ``messages``)."""
    if rows.empty:
        return pd.DataFrame(
            {
                "day": pd.Series(dtype="datetime64[ns]"),
                "outcome": pd.Series(dtype="str"),
                "messages": pd.Series(dtype="int64"),
            }
        )
    table = (
        rows.assign(outcome=rows["result"])
        .groupby(["day", "outcome"], sort=True)["messages"]
        .sum()
        .reset_index()
    )
    table["messages"] = table["messages"].astype("int64")
    return table


def messages_summary(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per sender and domain over the filtered rows (`dmarc_senders`' columns)."""
    table = senders(rows.drop(columns=["sender", "result"], errors="ignore"))
    return table.sort_values("messages", ascending=False, kind="stable").reset_index(drop=True)
