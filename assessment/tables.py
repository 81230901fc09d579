"""pandas tables of evidence and findings, for the notebooks (display only, no logic).

Each takes a `Run` (`assessment.load_run`) or the evidence / findings themselves.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from assessment.model import Evidence, Finding
from assessment.runs import Run


def _evidence(source: Run | Evidence) -> Evidence:
    return source.evidence if isinstance(source, Run) else source


def _findings(source: Run | Sequence[Finding]) -> Sequence[Finding]:
    return source.findings if isinstance(source, Run) else source


def lookups_table(evidence: Run | Evidence) -> pd.DataFrame:
    """Every DNS lookup: name, type, outcome, answers, TTL, AD bit, CNAME chain, time."""
    evidence = _evidence(evidence)
    rows = [
        {
            "domain": domain.domain,
            "name": item.name,
            "type": item.rdtype,
            "outcome": item.outcome.value,
            "answers": " | ".join(item.answers),
            "ttl": item.ttl,
            "ad": item.ad,
            "cname": " -> ".join(item.cname_chain),
            "ms": round(item.elapsed_ms, 1),
        }
        for domain in evidence.domains
        for item in domain.dns
    ]
    return pd.DataFrame(rows)


def probes_table(evidence: Run | Evidence) -> pd.DataFrame:
    """Every SMTP probe: MX, address, STARTTLS, TLS version, certificate and its problem."""
    evidence = _evidence(evidence)
    rows = []
    for domain in evidence.domains:
        for probe in domain.smtp:
            leaf = probe.tls.chain[0] if probe.tls and probe.tls.chain else None
            rows.append(
                {
                    "domain": domain.domain,
                    "mx": probe.host,
                    "address": probe.address,
                    "outcome": probe.outcome.value,
                    "starttls": probe.starttls_offered,
                    "tls": probe.tls.version if probe.tls else None,
                    "verified": probe.tls.verified if probe.tls else None,
                    "problem": (probe.tls.verify_error if probe.tls else None) or probe.error,
                    "cert_names": ", ".join(leaf.san_dns) if leaf else None,
                    "expires": leaf.not_after if leaf else None,
                }
            )
    return pd.DataFrame(rows)


def policy_table(evidence: Run | Evidence) -> pd.DataFrame:
    """The MTA-STS policy fetch of each domain, as the HTTPS server answered it."""
    evidence = _evidence(evidence)
    rows = []
    for domain in evidence.domains:
        fetch = domain.mta_sts_policy
        if fetch is None:
            continue
        rows.append(
            {
                "domain": domain.domain,
                "url": fetch.url,
                "outcome": fetch.outcome.value,
                "status": fetch.status,
                "content_type": fetch.content_type,
                "redirect": fetch.redirect_location,
                "bytes": fetch.body_bytes,
                "truncated": fetch.body_truncated,
                "verified": fetch.tls.verified if fetch.tls else None,
            }
        )
    return pd.DataFrame(rows)


def findings_table(findings: Run | Sequence[Finding]) -> pd.DataFrame:
    """One row per finding: severity, domain, host, code, title, detail."""
    findings = _findings(findings)
    rows = [
        {
            "severity": f.severity.value,
            "domain": f.domain,
            "host": f.host,
            "code": f.code,
            "title": f.title,
            "detail": f.detail,
        }
        for f in findings
    ]
    return pd.DataFrame(rows, columns=["severity", "domain", "host", "code", "title", "detail"])


def severity_counts(findings: Run | Sequence[Finding]) -> pd.DataFrame:
    """Findings per domain (rows) and severity (columns)."""
    table = findings_table(findings)
    if table.empty:
        return pd.DataFrame(columns=["domain"])
    return table.pivot_table(
        index="domain", columns="severity", values="code", aggfunc="count", fill_value=0
    )
