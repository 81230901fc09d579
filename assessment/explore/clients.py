"""Every client of a data folder at once: the findings and domain grades of each client's
latest run as one table, and what each client's TLS-RPT and DMARC stores hold.

Reads run folders and opens existing stores; writes nothing. A client whose latest run or
store cannot be read gets a row that says why, and the others are still listed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import pandas as pd

from assessment.posture import assess_posture
from assessment.runs import Run, load_run
from assessment.workspace import ClientFolder, Workspace

FINDING_COLUMNS: Final = (
    "client",
    "domain",
    "grade",
    "status",
    "severity",
    "code",
    "title",
    "host",
    "detail",
    "assessed_on",
    "run",
)

STORE_COLUMNS: Final = (
    "client",
    "tlsrpt_reports",
    "tlsrpt_successful",
    "tlsrpt_failed",
    "dmarc_reports",
    "dmarc_messages",
    "dmarc_domains",
    "dmarc_reporters",
    "dmarc_first",
    "dmarc_last",
    "problem",
)


def client_folders(data_dir: str | Path = "") -> list[ClientFolder]:
    """Every client folder of the data folder that holds a client.toml, a run or a store, by
    slug. (`Workspace.clients` lists only those with a client.toml; `mailposture assess` and
    the demo make clients without one.)"""
    root = Workspace.at(data_dir).clients_dir
    if not root.is_dir():
        return []
    folders = [ClientFolder(p) for p in sorted(root.iterdir()) if p.is_dir()]
    return [
        f
        for f in folders
        if f.config.is_file()
        or f.runs_dir.is_dir()
        or f.tlsrpt_store.is_file()
        or f.dmarc_store.is_file()
    ]


def _latest(folder: ClientFolder) -> Run | None:
    runs = folder.runs()
    return load_run(runs[-1].path) if runs else None


def _finding_rows(folder: ClientFolder) -> Iterator[dict[str, Any]]:
    base = {"client": folder.slug, "domain": "", "grade": "", "status": "", "run": ""}
    try:
        run = _latest(folder)
    except Exception as exc:  # one unreadable run must not hide the other clients
        yield {**base, "title": f"latest run unreadable: {exc}"}
        return
    if run is None:
        yield {**base, "title": "no run yet"}
        return
    client = run.info.client if run.info is not None else folder.slug
    assessed_on = run.info.assessed_on if run.info is not None else ""
    posture = assess_posture(run.evidence, run.findings)
    for domain in posture.domains:
        row = {
            "client": client,
            "domain": domain.domain,
            "grade": domain.grade.letter if domain.grade is not None else "",
            "status": domain.status.value,
            "assessed_on": assessed_on,
            "run": run.path.name,
        }
        mine = [f for f in run.findings if f.domain == domain.domain]
        if not mine:
            yield {**row, "title": "(no findings)"}
        for finding in mine:
            yield {
                **row,
                "severity": finding.severity.value,
                "code": finding.code,
                "title": finding.title,
                "host": finding.host,
                "detail": finding.detail,
            }


_SEVERITY_RANK: Final = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}


def findings_of_all_clients(data_dir: str | Path = "") -> pd.DataFrame:
    """One row per finding of every client's latest run, with its domain's grade
    (``FINDING_COLUMNS``); a domain without findings has one row titled ``(no findings)``,
    a client without a readable run one row saying so."""
    rows = [row for folder in client_folders(data_dir) for row in _finding_rows(folder)]
    table = pd.DataFrame(rows, columns=list(FINDING_COLUMNS)).fillna("").astype("str")
    # Worst first within each domain: a browser table sorts severity alphabetically.
    rank = table["severity"].map(_SEVERITY_RANK).fillna(len(_SEVERITY_RANK))
    order = table.assign(_rank=rank).sort_values(["client", "domain", "_rank"], kind="stable")
    return order.drop(columns="_rank").reset_index(drop=True)


def _store_row(folder: ClientFolder) -> dict[str, Any]:
    from assessment.dmarc.store import DmarcStore
    from assessment.tlsrpt.store import TlsRptStore

    row: dict[str, Any] = {"client": folder.slug, "problem": ""}
    problems = []
    if folder.tlsrpt_store.is_file():
        try:
            with TlsRptStore(folder.tlsrpt_store) as store:
                counts = store.summary()
            row |= {
                "tlsrpt_reports": counts["reports"],
                "tlsrpt_successful": counts["successful_sessions"],
                "tlsrpt_failed": counts["failed_sessions"],
            }
        except Exception as exc:  # one unreadable store must not hide the others
            problems.append(f"TLS-RPT store: {exc}")
    if folder.dmarc_store.is_file():
        try:
            with DmarcStore(folder.dmarc_store) as store:
                summary = store.summary()
            row |= {
                "dmarc_reports": summary["reports"],
                "dmarc_messages": summary["messages"],
                "dmarc_domains": summary["domains"],
                "dmarc_reporters": summary["reporters"],
                "dmarc_first": (summary["first"] or "")[:10],
                "dmarc_last": (summary["last"] or "")[:10],
            }
        except Exception as exc:  # one unreadable store must not hide the others
            problems.append(f"DMARC store: {exc}")
    row["problem"] = "; ".join(problems)
    return row


def stores_of_all_clients(data_dir: str | Path = "") -> pd.DataFrame:
    """One row per client with a TLS-RPT or DMARC store: what each holds (``STORE_COLUMNS``).
    Counts are 0 where a client has no such store."""
    rows = [
        _store_row(folder)
        for folder in client_folders(data_dir)
        if folder.tlsrpt_store.is_file() or folder.dmarc_store.is_file()
    ]
    table = pd.DataFrame(rows, columns=list(STORE_COLUMNS))
    for column in STORE_COLUMNS:
        if column in ("client", "problem", "dmarc_first", "dmarc_last"):
            table[column] = table[column].fillna("").astype("str")
        else:
            table[column] = table[column].fillna(0).astype("int64")
    return table
