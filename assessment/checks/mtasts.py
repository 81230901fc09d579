"""MTA-STS (RFC 8461) judged as a compliant sending MTA would: TXT, policy fetch, policy body,
MX coverage and the MX certificates under the policy."""

from __future__ import annotations

from assessment.checks import certnames, describe
from assessment.checks.context import ABSENT, DomainContext
from assessment.checks.findings import FindingSink
from assessment.model import ConnOutcome, HttpsFetch, Severity
from assessment.providers import dead_provider_pattern, policy_line, provider_for_host
from assessment.records.mtasts import StsMode, StsPolicy, mx_pattern_matches, parse_sts_txt
from assessment.records.problem import ProblemLevel

ONE_DAY = 86400
ONE_WEEK = 7 * ONE_DAY


def human_age(seconds: int) -> str:
    if seconds % ONE_DAY == 0 and seconds >= ONE_DAY:
        days = seconds // ONE_DAY
        return f"{days} day{'s' if days != 1 else ''}"
    hours = seconds / 3600
    return f"{hours:g} hours"


def _near_miss(text: str) -> bool:
    """Meant as an MTA-STS record (v=STSv1 in any case or spacing) though not selectable."""
    return "".join(text.split()).lower().startswith("v=stsv1")


def _txt(ctx: DomainContext, out: FindingSink) -> bool:
    """Judge `_mta-sts.<domain>`; True when exactly one usable record exists."""
    item = ctx.lookup(f"_mta-sts.{ctx.domain}", "TXT")
    if item is None:
        return False
    evidence = [describe.lookup(item)]
    if item.outcome.inconclusive:
        out.add(
            "MTA_STS_INCONCLUSIVE",
            evidence=evidence,
            name=item.name,
            rdtype="TXT",
            outcome=item.outcome.value,
        )
        return False
    near_misses = [t for t in ctx.txt(item.name) if _near_miss(t) and t not in ctx.sts_records]
    for text in near_misses:
        # Senders discard it silently; the client needs to know why nothing happens.
        parsed = parse_sts_txt(text)
        problem = next(
            (p for p in parsed.problems if p.level is ProblemLevel.ERROR),
            None,
        )
        reason = problem.message if problem else "it does not start with exactly v=STSv1;"
        out.add(
            "MTA_STS_TXT_SYNTAX",
            evidence=evidence,
            problem=f'"{text}" is discarded by senders: {reason}',
            position=str(problem.position + 1)
            if problem is not None and problem.position is not None
            else "1",
        )
    others = [t for t in ctx.txt(item.name) if t not in ctx.sts_records and t not in near_misses]
    if others and item.outcome.value == "ok":
        out.add(
            "DNS_UNRELATED_TXT",
            evidence=evidence,
            name=item.name,
            expected="v=STSv1",
            records="; ".join(others[:3]),
        )
    if len(ctx.sts_records) > 1:
        out.add("MTA_STS_MULTIPLE_RECORDS", evidence=evidence, count=len(ctx.sts_records))
        return False
    if not ctx.sts_records:
        return False
    record = parse_sts_txt(ctx.sts_records[0])
    for problem in record.problems:
        code = "MTA_STS_TXT_NOTE" if problem.level is ProblemLevel.INFO else "MTA_STS_TXT_SYNTAX"
        position = str(problem.position + 1) if problem.position is not None else "-"
        severity = Severity.MEDIUM if problem.level is ProblemLevel.WARNING else None
        out.add(
            code, evidence=evidence, problem=problem.message, position=position, severity=severity
        )
    return record.valid


def _fetch(ctx: DomainContext, out: FindingSink, fetch: HttpsFetch) -> bool:
    """Judge the HTTPS fetch as RFC 8461 §3.3 senders do; True when a body can be parsed."""
    evidence = [describe.fetch(fetch)]
    host = f"mta-sts.{ctx.domain}"
    addresses = [ctx.lookup(host, t) for t in ("A", "AAAA")]
    seen = [a for a in addresses if a is not None]
    if seen and all(a.outcome in ABSENT for a in seen):
        outcome = ", ".join(f"{a.rdtype} {a.outcome.value}" for a in seen)
        out.add(
            "MTA_STS_POLICY_HOST_UNRESOLVABLE",
            evidence=[*evidence, *(describe.lookup(a) for a in seen)],
            outcome=outcome,
        )
        return False
    if fetch.outcome is ConnOutcome.DNS_ERROR:
        # The name did not resolve for a transient reason (timeout, SERVFAIL): not a verdict.
        out.add(
            "MTA_STS_POLICY_FETCH_INCONCLUSIVE",
            evidence=[*evidence, *(describe.lookup(a) for a in seen)],
            url=fetch.url,
            reason=fetch.error or "the policy host's address could not be looked up",
        )
        return False
    if fetch.outcome is ConnOutcome.OUTSIDE_LAB:
        out.add(
            "MTA_STS_POLICY_OUTSIDE_LAB",
            evidence=evidence,
            url=fetch.url,
            reason=fetch.error or "its addresses are outside the lab network",
        )
        return False
    tls = fetch.tls
    if tls is not None and tls.chain and not tls.verified:
        out.add(
            "MTA_STS_POLICY_CERT_INVALID",
            evidence=[*evidence, describe.certificate(tls.chain[0])],
            reason=describe.plain_reason(tls.verify_error or "")
            or "the certificate could not be verified",
        )
        return False
    if fetch.outcome is not ConnOutcome.OK:
        reason = fetch.error or fetch.outcome.value
        if fetch.outcome is ConnOutcome.TLS_ERROR and tls is not None and tls.handshake_error:
            reason = f"TLS handshake failed: {tls.handshake_error}"
        # A timeout here may be this network's doing, and senders wait longer (about a
        # minute) than we do: inconclusive. A refusal or a TLS failure is the host's answer.
        code = (
            "MTA_STS_POLICY_FETCH_INCONCLUSIVE"
            if fetch.outcome is ConnOutcome.TIMEOUT
            else "MTA_STS_POLICY_FETCH_FAILED"
        )
        out.add(code, evidence=evidence, url=fetch.url, reason=reason)
        return False
    status = fetch.status or 0
    if 300 <= status < 400:
        out.add(
            "MTA_STS_POLICY_REDIRECT",
            evidence=evidence,
            url=fetch.url,
            status=status,
            location=fetch.redirect_location or "(none)",
        )
        return False
    if status != 200:
        out.add("MTA_STS_POLICY_HTTP_STATUS", evidence=evidence, url=fetch.url, status=status)
        return False
    if fetch.body_truncated:
        out.add(
            "MTA_STS_POLICY_TOO_LARGE", evidence=evidence, url=fetch.url, limit=fetch.body_limit
        )
        return False
    media = (fetch.content_type or "").split(";")[0].strip().lower()
    if media != "text/plain":
        out.add(
            "MTA_STS_POLICY_CONTENT_TYPE",
            evidence=evidence,
            url=fetch.url,
            content_type=fetch.content_type or "no Content-Type",
        )
    body = (fetch.body or "").lstrip()
    if not body:
        out.add(
            "MTA_STS_POLICY_NOT_A_POLICY", evidence=evidence, url=fetch.url, what="an empty body"
        )
        return False
    if body[:1] == "<" or "<html" in body[:512].lower():
        out.add(
            "MTA_STS_POLICY_NOT_A_POLICY", evidence=evidence, url=fetch.url, what="an HTML page"
        )
        return False
    return True


def _policy_body(
    ctx: DomainContext,
    out: FindingSink,
    policy: StsPolicy,
    evidence: list[str],
    *,
    judge_mode: bool,
) -> None:
    """Syntax always; mode and max_age only when senders use the policy at all (exactly one
    valid TXT record): an ignored policy neither tests nor enforces anything."""
    for problem in policy.problems:
        code = (
            "MTA_STS_POLICY_SYNTAX"
            if problem.level is ProblemLevel.ERROR
            else "MTA_STS_POLICY_WARNING"
        )
        position = str(problem.position) if problem.position is not None else "-"
        out.add(code, evidence=evidence, problem=problem.message, position=position)
    if not judge_mode:
        return
    max_age = policy.max_age
    if policy.mode is StsMode.TESTING:
        out.add(
            "MTA_STS_MODE_TESTING",
            evidence=evidence,
            max_age=max_age if max_age is not None else "?",
        )
        if max_age is not None and max_age > ONE_WEEK:
            out.add(
                "MTA_STS_MAX_AGE_LONG_TESTING",
                evidence=evidence,
                max_age=max_age,
                human=human_age(max_age),
            )
    elif policy.mode is StsMode.NONE:
        out.add("MTA_STS_MODE_NONE", evidence=evidence)
    elif policy.mode is StsMode.ENFORCE and max_age is not None:
        if max_age < ONE_WEEK:
            out.add(
                "MTA_STS_MAX_AGE_SHORT",
                evidence=evidence,
                max_age=max_age,
                human=human_age(max_age),
            )
        out.add("MTA_STS_ENFORCED", evidence=evidence, max_age=max_age)


def _coverage(ctx: DomainContext, out: FindingSink, policy: StsPolicy, evidence: list[str]) -> None:
    if policy.mode not in (StsMode.ENFORCE, StsMode.TESTING) or not ctx.mx_hosts:
        return
    patterns = [p.pattern for p in policy.mx if p.valid]
    shown = ", ".join(patterns) or "none"
    uncovered = [h for h in ctx.mx_hosts if not any(mx_pattern_matches(p, h) for p in patterns)]
    if policy.mode is StsMode.ENFORCE and len(uncovered) == len(ctx.mx_hosts):
        out.add(
            "MTA_STS_ENFORCE_MATCHES_NO_MX",
            evidence=evidence,
            hosts=", ".join(ctx.mx_hosts),
            patterns=shown,
        )
    else:
        for host in uncovered:
            out.add(
                "MTA_STS_MX_NOT_COVERED",
                host=host,
                evidence=evidence,
                patterns=shown,
                suggestion=policy_line(host),
                # Testing mode refuses nothing: the gap blocks the switch to enforce.
                severity=Severity.CRITICAL if policy.mode is StsMode.ENFORCE else Severity.MEDIUM,
            )
    for pattern in patterns:
        if _dead_pattern(ctx, out, pattern, evidence, policy):
            continue
        if not any(mx_pattern_matches(pattern, h) for h in ctx.mx_hosts):
            out.add("MTA_STS_STALE_PATTERN", evidence=evidence, pattern=pattern)
    _certificates(ctx, out, policy, uncovered)


def _dead_pattern(
    ctx: DomainContext, out: FindingSink, pattern: str, evidence: list[str], policy: StsPolicy
) -> bool:
    """A line aimed at a provider's hosts that can match none of them; prints the fix."""
    provider = dead_provider_pattern(pattern)
    if provider is None:
        return False
    mine = [h for h in ctx.mx_hosts if provider_for_host(h) == provider]
    lines = list(dict.fromkeys(policy_line(h) for h in mine))
    shape = ", ".join(f"e.g. {f.example}" for f in provider.families if f.relates(pattern))
    if lines:
        correction = (
            f"Replace the line mx: {pattern} with "
            + ", ".join(f"mx: {line}" for line in lines)
            + ", which covers your current MX, and change the policy id in the TXT record."
        )
    else:
        correction = (
            f"Remove the line mx: {pattern} and change the policy id. {provider.move_note}"
        ).strip()
    out.add(
        "MTA_STS_PATTERN_NEVER_MATCHES",
        evidence=evidence,
        pattern=pattern,
        provider=provider.short,
        shape=shape,
        correction=correction,
        # Under enforce, a move to those hosts would lose mail; in testing it would only be
        # reported, and without a move nothing fails today.
        severity=None if policy.mode is StsMode.ENFORCE else Severity.LOW,
    )
    return True


def _certificates(
    ctx: DomainContext, out: FindingSink, policy: StsPolicy, uncovered: list[str]
) -> None:
    """Certificates of covered MX hosts that may lapse while senders still cache the policy.

    Name problems are the STARTTLS check's (TLS_CERT_NAME_MISMATCH): a certificate valid for
    an MX that a pattern covers is all RFC 8461 §4.2 asks for.
    """
    reported: set[str] = set()
    for probe in ctx.ev.smtp:
        if (
            probe.tls is None
            or not probe.tls.chain
            or probe.host in uncovered
            or probe.host in reported
        ):
            continue
        leaf = probe.tls.chain[0]
        evidence = [describe.probe(probe), describe.certificate(leaf)]
        days = certnames.days_left(leaf, probe.observed_at)
        max_age = policy.max_age
        if (
            policy.mode is StsMode.ENFORCE
            and max_age
            and days is not None
            and 0 <= days < 30
            and days * ONE_DAY < max_age
        ):
            reported.add(probe.host)
            out.add(
                "MTA_STS_CERT_EXPIRES_IN_CACHE",
                host=probe.host,
                evidence=evidence,
                not_after=leaf.not_after,
                days=days,
                human=human_age(max_age),
            )


def check(ctx: DomainContext, out: FindingSink) -> None:
    if ctx.domain_missing:
        return
    _txt(ctx, out)
    fetch = ctx.ev.mta_sts_policy
    item = ctx.lookup(f"_mta-sts.{ctx.domain}", "TXT")
    txt_inconclusive = item is not None and item.outcome.inconclusive
    if not ctx.sts_records and not txt_inconclusive:
        if any(_near_miss(t) for t in ctx.txt(f"_mta-sts.{ctx.domain}")):
            return  # the syntax finding above says why senders see no record
        served = ctx.policy is not None and ctx.policy.version == "STSv1"
        if served:
            out.add("MTA_STS_POLICY_WITHOUT_TXT", evidence=[describe.fetch(fetch)] if fetch else [])
        elif ctx.receives_mail and item is not None:
            out.add("MTA_STS_MISSING", evidence=[describe.lookup(item)])
        return
    if fetch is None or not ctx.sts_records:
        return
    if not _fetch(ctx, out, fetch):
        return
    policy = ctx.policy
    if policy is None:
        return
    evidence = [
        describe.fetch(fetch),
        "policy: " + " | ".join(line.strip() for line in policy.text.splitlines() if line.strip()),
    ]
    _policy_body(ctx, out, policy, evidence, judge_mode=ctx.sts_usable)
    if not ctx.sts_usable:
        return
    _coverage(ctx, out, policy, evidence)
    if policy.mode is StsMode.TESTING and not ctx.tlsrpt_records:
        rpt = ctx.lookup(f"_smtp._tls.{ctx.domain}", "TXT")
        if rpt is None or not rpt.outcome.inconclusive:
            out.add("MTA_STS_TESTING_WITHOUT_TLSRPT", evidence=evidence)
