"""The evidence file (`evidence.pdf`): every DNS answer, policy fetch and SMTP probe, numbered
E1, E2... so each finding in the main report can point at what it rests on."""

from __future__ import annotations

from dataclasses import dataclass

from assessment.checks import describe
from assessment.model import Evidence
from assessment.report.appendix import (
    DnsRow,
    PolicyFetchView,
    SmtpRow,
    dns_row,
    policy_view,
    smtp_row,
)


@dataclass(frozen=True)
class NumberedDns:
    ref: str
    row: DnsRow


@dataclass(frozen=True)
class NumberedSmtp:
    ref: str
    row: SmtpRow


@dataclass(frozen=True)
class EvidenceDomainView:
    domain: str
    dns: tuple[NumberedDns, ...]
    policy_ref: str
    policy: PolicyFetchView | None
    smtp: tuple[NumberedSmtp, ...]
    dkim_selectors: str


@dataclass(frozen=True)
class EvidenceFileView:
    domains: tuple[EvidenceDomainView, ...]
    network: str
    started_at: str
    finished_at: str
    tool_version: str


def number_evidence(evidence: Evidence) -> tuple[EvidenceFileView, dict[str, str]]:
    """The evidence file's view, and the index from each item's one-line description (the
    text the checks quote in a finding) to its number."""
    from assessment.report.formatting import timestamp

    counter = 0
    index: dict[str, str] = {}

    def ref() -> str:
        nonlocal counter
        counter += 1
        return f"E{counter}"

    domains: list[EvidenceDomainView] = []
    for domain in evidence.domains:
        dns: list[NumberedDns] = []
        for lookup in domain.dns:
            number = ref()
            index.setdefault(describe.lookup(lookup), number)
            dns.append(NumberedDns(number, dns_row(lookup)))
        policy_ref = ""
        fetch = domain.mta_sts_policy
        if fetch is not None:
            policy_ref = ref()
            index.setdefault(describe.fetch(fetch), policy_ref)
            if fetch.tls is not None and fetch.tls.chain:
                index.setdefault(describe.certificate(fetch.tls.chain[0]), policy_ref)
        smtp: list[NumberedSmtp] = []
        for probe in domain.smtp:
            number = ref()
            index.setdefault(describe.probe(probe), number)
            if probe.tls is not None and probe.tls.chain:
                index.setdefault(describe.certificate(probe.tls.chain[0]), number)
            smtp.append(NumberedSmtp(number, smtp_row(probe)))
        domains.append(
            EvidenceDomainView(
                domain=domain.domain,
                dns=tuple(dns),
                policy_ref=policy_ref,
                policy=policy_view(fetch) if fetch is not None else None,
                smtp=tuple(smtp),
                dkim_selectors=", ".join(domain.dkim_selectors) or "none probed",
            )
        )
    view = EvidenceFileView(
        domains=tuple(domains),
        network=evidence.network,
        started_at=timestamp(evidence.started_at),
        finished_at=timestamp(evidence.finished_at),
        tool_version=evidence.tool_version or "unrecorded",
    )
    return view, index
