"""DANE for SMTP (RFC 7672, RFC 7671, RFC 6698): TLSA records against the presented chain."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from assessment.checks import describe
from assessment.checks.context import DomainContext
from assessment.checks.findings import FindingSink
from assessment.model import Certificate, Outcome, Severity
from assessment.providers import ProviderId, provider_for_host, who_runs

_DIGEST_LENGTH = {1: 64, 2: 128}


@dataclass(frozen=True)
class Tlsa:
    usage: int
    selector: int
    mtype: int
    data: str
    text: str

    @classmethod
    def parse(cls, text: str) -> Tlsa | None:
        parts = text.split()
        if len(parts) < 4 or not all(p.isdigit() for p in parts[:3]):
            return None
        return cls(int(parts[0]), int(parts[1]), int(parts[2]), "".join(parts[3:]).lower(), text)

    def problem(self) -> str | None:
        if self.selector not in (0, 1):
            return f"unknown selector {self.selector}"
        if self.mtype not in (0, 1, 2):
            return f"unknown matching type {self.mtype}"
        expected = _DIGEST_LENGTH.get(self.mtype)
        if expected is not None and len(self.data) != expected:
            return f"digest of {len(self.data)} hex digits, expected {expected}"
        return None


def _association(cert: Certificate, selector: int, mtype: int) -> str | None:
    """The certificate association data a TLSA record of this kind should carry, or None
    when the evidence does not hold enough of the certificate to compute it."""
    if selector == 1 and mtype == 1:
        return cert.spki_sha256.lower()
    if selector == 1 and mtype == 2:
        return cert.spki_sha512.lower()
    if selector == 0 and mtype == 1 and cert.sha256:
        return cert.sha256.lower()
    try:
        parsed = x509.load_pem_x509_certificate(cert.pem.encode())
    except ValueError:
        return None
    if selector == 0:
        raw = parsed.public_bytes(serialization.Encoding.DER)
    else:
        raw = parsed.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    if mtype == 1:
        return hashlib.sha256(raw).hexdigest()
    if mtype == 2:
        return hashlib.sha512(raw).hexdigest()
    return raw.hex()


def matches(record: Tlsa, chain: tuple[Certificate, ...]) -> bool:
    if not chain:
        return False
    # DANE-EE(3) pins the leaf; DANE-TA(2) a certificate the server sends above it.
    candidates = chain[:1] if record.usage == 3 else chain[1:]
    return any(
        _association(cert, record.selector, record.mtype) == record.data for cert in candidates
    )


def _host(ctx: DomainContext, out: FindingSink, host: str) -> None:
    name = f"_25._tcp.{host}"
    item = ctx.lookup(name, "TLSA")
    if item is None or item.outcome is Outcome.NXDOMAIN or item.outcome is Outcome.NODATA:
        return
    evidence = [describe.lookup(item)]
    if item.outcome.inconclusive:
        out.add(
            "DANE_INCONCLUSIVE", host=host, evidence=evidence, name=name, outcome=item.outcome.value
        )
        return
    records = [r for r in (Tlsa.parse(t) for t in sorted(item.answers)) if r is not None]
    if not item.ad:
        out.add("DANE_TLSA_INSECURE", host=host, evidence=evidence, name=name)
    usable = []
    for record in records:
        problem = record.problem()
        if record.usage in (0, 1):
            out.add(
                "DANE_USAGE_UNUSABLE",
                host=host,
                evidence=evidence,
                name=name,
                record=record.text,
                usage=record.usage,
            )
        elif record.usage not in (2, 3) or problem:
            out.add(
                "DANE_BAD_PARAMETERS",
                host=host,
                evidence=evidence,
                name=name,
                record=record.text,
                problem=problem or f"unknown usage {record.usage}",
            )
        else:
            usable.append(record)
            if record.usage == 3 and record.selector == 0:
                out.add(
                    "DANE_FULL_CERT_SELECTOR",
                    host=host,
                    evidence=evidence,
                    name=name,
                    record=record.text,
                )
    if len(records) == 1:
        out.add("DANE_SINGLE_RECORD", host=host, evidence=evidence, name=name)
    if not usable:
        return
    severity = None if item.ad else Severity.MEDIUM
    for probe in (p for p in ctx.ev.smtp if p.host == host):
        probe_evidence = [*evidence, describe.probe(probe)]
        if probe.starttls_offered is False:
            out.add("DANE_WITHOUT_STARTTLS", host=host, evidence=probe_evidence, severity=severity)
            continue
        if probe.tls is None or not probe.tls.chain:
            continue
        matching = [r for r in usable if matches(r, probe.tls.chain)]
        if matching:
            out.add("DANE_TLSA_OK", host=host, evidence=probe_evidence, record=matching[0].text)
        else:
            out.add(
                "DANE_TLSA_MISMATCH",
                host=host,
                evidence=probe_evidence,
                severity=severity,
                records="; ".join(r.text for r in usable),
            )


def check(ctx: DomainContext, out: FindingSink) -> None:
    if ctx.domain_missing or not ctx.mx_hosts:
        return
    for host in ctx.mx_hosts:
        _host(ctx, out, host)
    if not ctx.tlsa_hosts:
        microsoft = [
            h
            for h in ctx.mx_hosts
            if (p := provider_for_host(h)) and p.id is ProviderId.MICROSOFT_365
        ]
        out.add(
            "DANE_NOT_DEPLOYED",
            hosts=", ".join(ctx.mx_hosts),
            provider_note=f" ({who_runs(ctx.mx_hosts)})" if microsoft else "",
            fix_hint=(
                "Exchange Online supports inbound SMTP DANE with DNSSEC: "
                "Enable-DnssecForVerifiedDomain gives the domain its own DNSSEC-signed MX host "
                "under mx.microsoft. Add that exact host to the MTA-STS policy (new id) before "
                "switching the MX record to it; MTA-STS still covers senders that do not "
                "validate DNSSEC."
                if microsoft
                else "No action required where MTA-STS is enforced; DANE is optional extra defence."
            ),
        )
    elif ctx.sts_records and all(
        (i := ctx.lookup(f"_25._tcp.{h}", "TLSA")) is not None and i.ad for h in ctx.tlsa_hosts
    ):
        out.add("DANE_AND_MTA_STS")
