"""SMTP reachability, STARTTLS and the MX certificates (RFC 3207, RFC 8996, RFC 8461 §4.2).

Severities rise to critical where a transport policy makes senders refuse delivery: MTA-STS
in enforce mode (RFC 8461 §5) or usable DANE (RFC 7672 §2.2).
"""

from __future__ import annotations

import ipaddress

from assessment.checks import certnames, describe
from assessment.checks.context import DomainContext
from assessment.checks.findings import FindingSink
from assessment.model import ConnOutcome, Evidence, Severity, SmtpProbe
from assessment.records.mtasts import StsMode

EXPIRY_WARNING_DAYS = 14
EXPIRY_URGENT_DAYS = 3
_OLD_VERSIONS = ("SSLv2", "SSLv3", "TLSv1", "TLSv1.1")
GREETING_SLOW_MS = 3000.0
"""A greeting normally follows the connection within a round trip plus the server's own
reverse-DNS lookup, well under a second; 3 s and more is a deliberate greet pause (Postfix
postscreen's pregreet test holds the greeting 6 s) or a struggling server."""


def port25_reachable(snapshot: Evidence | None) -> bool:
    """Whether any MX anywhere in this snapshot answered on the SMTP port.

    If none did, a refused connection says more about where the assessment ran (outbound
    port 25 blocked or rejected by a local firewall) than about the client's servers.
    """
    if snapshot is None:
        return False
    return any(
        probe.outcome is not ConnOutcome.REFUSED and probe.banner is not None
        for domain in snapshot.domains
        for probe in domain.smtp
    )


def _greeted_quickly(ctx: DomainContext, probe: SmtpProbe) -> list[SmtpProbe]:
    """Other MX addresses of this snapshot (any domain) that greeted without delay.

    They prove that this vantage point reaches port 25 and gets greetings in time, so a
    stall or a slow greeting elsewhere is that host's own, not the network's.
    """
    return [
        other
        for other in _other_greetings(ctx, probe)
        if (other.greeting_ms or 0.0) < GREETING_SLOW_MS
    ]


def _other_greetings(ctx: DomainContext, probe: SmtpProbe) -> list[SmtpProbe]:
    """The snapshot's MX addresses that greeted, but for the probe's own."""
    return [
        other
        for other in ctx.facts.greetings
        if (other.host, other.address) != (probe.host, probe.address)
    ]


def _unanswered(
    ctx: DomainContext, out: FindingSink, probe: SmtpProbe, evidence: list[str]
) -> bool:
    """Judge a connection that never completed; True when it was judged the host's own.

    It is, when other MX addresses of this snapshot in the same address family greeted: the
    vantage point demonstrably reaches port 25 over that family (a network without IPv6
    makes every IPv6 address time out, so IPv4 greetings prove nothing about those).
    """
    if probe.connect_ms is not None or probe.outcome not in (
        ConnOutcome.TIMEOUT,
        ConnOutcome.UNREACHABLE,
    ):
        return False
    family = _family(probe.address)
    answered = [
        other
        for other in _other_greetings(ctx, probe)
        if family is not None and _family(other.address) == family
    ]
    if not answered:
        return False
    out.add(
        "SMTP_CONNECT_TIMEOUT",
        evidence=evidence,
        host=probe.host,
        address=probe.address,
        port=probe.port,
        # Not the probe's own error text: written before anything could be compared, it
        # hedges towards the vantage point, which the other answers have just ruled out.
        reason=_no_answer(ctx, probe),
        others=f"{_other_addresses(len(answered))} in this assessment answered on port "
        f"{probe.port} over IPv{family}",
    )
    return True


def _no_answer(ctx: DomainContext, probe: SmtpProbe) -> str:
    if probe.outcome is ConnOutcome.UNREACHABLE:
        return "the network reported the host unreachable"
    waited = ctx.snapshot.profile.connect_timeout if ctx.snapshot is not None else None
    return f"no answer to the connection within {waited:g} s" if waited else "no answer"


def _other_addresses(count: int) -> str:
    return f"{count} other MX address" + ("" if count == 1 else "es")


def _family(address: str) -> int | None:
    try:
        return ipaddress.ip_address(address).version
    except ValueError:
        return None


def _seconds(ms: float) -> str:
    return f"{ms / 1000:.1f} s"


def _greeting(ctx: DomainContext, out: FindingSink, probe: SmtpProbe, evidence: list[str]) -> bool:
    """Judge a stalled or slow greeting; True when the probe needs no further judgement."""
    stalled = (
        probe.outcome is ConnOutcome.TIMEOUT
        and probe.banner is None
        and probe.connect_ms is not None
    )
    slow = probe.greeting_ms is not None and probe.greeting_ms >= GREETING_SLOW_MS
    if not (stalled or slow):
        return False
    quick = _greeted_quickly(ctx, probe)
    if not quick:
        if stalled:
            _not_tested(
                out,
                probe,
                evidence,
                f"{probe.error or 'connected, then no greeting'}; no MX host in this "
                "assessment greeted in time, so the cause is more likely the network it ran "
                "from (a proxy or firewall holding port 25) than this host",
            )
        return stalled
    slowest = max(other.greeting_ms or 0.0 for other in quick)
    others = f"{_other_addresses(len(quick))} in this assessment greeted within " + _seconds(
        slowest
    )
    if stalled:
        waited = ctx.snapshot.profile.io_timeout if ctx.snapshot is not None else 0.0
        out.add(
            "SMTP_GREETING_TIMEOUT",
            evidence=evidence,
            host=probe.host,
            address=probe.address,
            connect=_seconds(probe.connect_ms or 0.0),
            waited=f"{waited:g} s",
            others=others,
        )
        return True
    out.add(
        "SMTP_GREETING_SLOW",
        evidence=evidence,
        host=probe.host,
        address=probe.address,
        delay=_seconds(probe.greeting_ms or 0.0),
        others=others,
    )
    return False


def _enforced(ctx: DomainContext) -> bool:
    """Senders enforce only a usable policy (one valid TXT, a valid policy) in enforce mode."""
    return ctx.sts_usable and ctx.policy is not None and ctx.policy.mode is StsMode.ENFORCE


def _testing(ctx: DomainContext) -> bool:
    return ctx.sts_usable and ctx.policy is not None and ctx.policy.mode is StsMode.TESTING


def _certificate(
    ctx: DomainContext,
    out: FindingSink,
    probe: SmtpProbe,
    evidence: list[str],
    raised: Severity | None,
) -> bool:
    """Judge the presented certificate; True when it is valid for the MX name."""
    tls = probe.tls
    if tls is None or not tls.chain:
        return False
    leaf = tls.chain[0]
    evidence = [*evidence, describe.certificate(leaf)]
    days = certnames.days_left(leaf, probe.observed_at)
    problem = False
    if days is not None and days < 0:
        out.add(
            "TLS_CERT_EXPIRED",
            host=probe.host,
            evidence=evidence,
            severity=raised,
            not_after=leaf.not_after,
        )
        problem = True
    if not certnames.covers(leaf, probe.host):
        out.add(
            "TLS_CERT_NAME_MISMATCH",
            host=probe.host,
            evidence=evidence,
            severity=raised,
            names=", ".join(leaf.san_dns) or "no DNS names",
        )
        problem = True
    if not tls.verified and not problem:
        out.add(
            "TLS_CERT_UNTRUSTED",
            host=probe.host,
            evidence=evidence,
            severity=raised,
            reason=describe.plain_reason(tls.verify_error or "")
            or "the chain does not lead to a trusted root",
        )
        problem = True
    if not problem and days is not None and days < EXPIRY_WARNING_DAYS:
        out.add(
            "TLS_CERT_EXPIRING",
            host=probe.host,
            evidence=evidence,
            severity=Severity.HIGH if days < EXPIRY_URGENT_DAYS else None,
            not_after=leaf.not_after,
            days=days,
        )
    weak = []
    if leaf.key_type.upper() == "RSA" and 0 < leaf.key_bits < 2048:
        weak.append(f"RSA key of {leaf.key_bits} bits")
    if leaf.signature_hash.lower() in ("sha1", "md5"):
        weak.append(f"{leaf.signature_hash} signature")
    if weak:
        out.add("TLS_WEAK_KEY", host=probe.host, evidence=evidence, what=", ".join(weak))
    return not problem


def _not_tested(out: FindingSink, probe: SmtpProbe, evidence: list[str], reason: str) -> None:
    out.add(
        "SMTP_NOT_TESTED",
        evidence=evidence,
        reason=reason,
        host=probe.host,
        address=probe.address,
        port=probe.port,
    )


def check(ctx: DomainContext, out: FindingSink) -> None:
    # MTA-STS enforce makes senders refuse a bad certificate or missing STARTTLS on any MX;
    # DANE does so only for the hosts it covers, and DANE-EE senders do not check WebPKI
    # names or dates (RFC 7672 §3.1.1), so DANE raises only the STARTTLS findings.
    # In testing mode nothing is refused yet: a bad certificate blocks the switch to enforce
    # (and shows in the reports), which is a medium problem, not the default high.
    enforced = _enforced(ctx)
    sts = Severity.CRITICAL if enforced else Severity.MEDIUM if _testing(ctx) else None
    reachable = port25_reachable(ctx.snapshot)
    for probe in ctx.ev.smtp:
        evidence = [describe.probe(probe)]
        transport = Severity.CRITICAL if enforced or probe.host in ctx.dane_hosts else None
        if probe.outcome is ConnOutcome.OUTSIDE_LAB:
            out.add(
                "SMTP_OUTSIDE_LAB",
                evidence=evidence,
                host=probe.host,
                address=probe.address,
                reason=probe.error or "the address is outside the lab network",
            )
            continue
        if _greeting(ctx, out, probe, evidence):
            continue
        if probe.banner is None and probe.outcome in (
            ConnOutcome.TIMEOUT,
            ConnOutcome.UNREACHABLE,
            ConnOutcome.DNS_ERROR,
            ConnOutcome.ERROR,
        ):
            if not _unanswered(ctx, out, probe, evidence):
                _not_tested(out, probe, evidence, probe.error or probe.outcome.value)
            continue
        if probe.outcome is ConnOutcome.REFUSED:
            if reachable:
                out.add(
                    "SMTP_REFUSED",
                    evidence=evidence,
                    reason=probe.error or "connection refused",
                    host=probe.host,
                    address=probe.address,
                    port=probe.port,
                )
            else:
                _not_tested(out, probe, evidence, probe.error or "connection refused")
            continue
        if probe.banner is None or not probe.banner.startswith("220"):
            banner = probe.banner or probe.error or "no greeting"
            out.add(
                "SMTP_BAD_BANNER",
                evidence=evidence,
                banner=banner,
                host=probe.host,
                address=probe.address,
            )
            continue
        if probe.starttls_offered is None:
            # Greeted, then silence before EHLO finished (tarpit, greylisting): untested.
            _not_tested(out, probe, evidence, probe.error or "no reply to EHLO")
            continue
        if probe.starttls_offered is False:
            out.add(
                "STARTTLS_NOT_OFFERED",
                evidence=evidence,
                severity=transport,
                host=probe.host,
                address=probe.address,
            )
            continue
        tls = probe.tls
        if tls is None or tls.handshake_error or probe.outcome is ConnOutcome.TLS_ERROR:
            reason = (tls.handshake_error if tls else None) or probe.error or probe.starttls_reply
            out.add(
                "STARTTLS_FAILED",
                evidence=evidence,
                severity=transport,
                host=probe.host,
                address=probe.address,
                reason=reason or "the TLS handshake did not complete",
            )
            continue
        valid = _certificate(ctx, out, probe, evidence, sts)
        if tls.version in _OLD_VERSIONS:
            out.add(
                "TLS_OLD_VERSION",
                host=probe.host,
                evidence=evidence,
                version=tls.version,
                severity=Severity.HIGH if tls.version in ("SSLv2", "SSLv3") else None,
            )
        elif valid:
            out.add(
                "TLS_OK",
                evidence=evidence,
                host=probe.host,
                address=probe.address,
                version=tls.version or "TLS",
                not_after=tls.chain[0].not_after,
            )
