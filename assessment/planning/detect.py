"""Where a domain stands with MTA-STS today, read from its evidence and findings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from assessment.checks.context import DomainContext
from assessment.model import Finding
from assessment.providers import policy_line, provider_for_host
from assessment.records.mtasts import (
    StsMode,
    StsPolicy,
    mx_pattern_error,
    mx_pattern_matches,
    parse_sts_txt,
)


class StsPhase(StrEnum):
    NONE = "none"
    TESTING = "testing"
    ENFORCE = "enforce"
    BROKEN_ENFORCE = "broken-enforce"

    @property
    def label(self) -> str:
        return {
            StsPhase.NONE: "No MTA-STS yet",
            StsPhase.TESTING: "MTA-STS in testing mode",
            StsPhase.ENFORCE: "MTA-STS enforced",
            StsPhase.BROKEN_ENFORCE: "MTA-STS published but broken",
        }[self]


MX_COVERAGE_CODES = frozenset({"MTA_STS_ENFORCE_MATCHES_NO_MX", "MTA_STS_MX_NOT_COVERED"})
HOST_TRANSPORT_CODES = frozenset(
    {
        "TLS_CERT_EXPIRED",
        "TLS_CERT_NAME_MISMATCH",
        "TLS_CERT_UNTRUSTED",
        "STARTTLS_FAILED",
        "STARTTLS_NOT_OFFERED",
    }
)
"""Problems that make a compliant sender refuse an MX once the policy is enforced."""
POLICY_HOSTING_CODES = frozenset(
    {
        "MTA_STS_POLICY_CERT_INVALID",
        "MTA_STS_POLICY_FETCH_FAILED",
        "MTA_STS_POLICY_HOST_UNRESOLVABLE",
        "MTA_STS_POLICY_HTTP_STATUS",
        "MTA_STS_POLICY_NOT_A_POLICY",
        "MTA_STS_POLICY_REDIRECT",
        "MTA_STS_POLICY_SYNTAX",
        "MTA_STS_POLICY_TOO_LARGE",
        "MTA_STS_POLICY_CONTENT_TYPE",
        "MTA_STS_TXT_SYNTAX",
        "MTA_STS_MULTIPLE_RECORDS",
    }
)
"""Problems that stop senders from reading the policy at all."""
SOON_CODES = frozenset({"TLS_CERT_EXPIRING", "MTA_STS_CERT_EXPIRES_IN_CACHE"})


@dataclass(frozen=True)
class DomainState:
    """The facts the plan needs about one mail-receiving domain."""

    domain: str
    phase: StsPhase
    reasons: tuple[str, ...]
    mx_hosts: tuple[str, ...]
    planned_mx: tuple[str, ...]
    """The MX hosts once the plan's MX removals are done: what the policy must cover."""
    patterns: tuple[str, ...]
    """The `mx:` lines the next policy should carry: every planned MX covered."""
    current_patterns: tuple[str, ...]
    """The valid `mx:` lines of the policy served today."""
    current_id: str | None
    current_mode: StsMode | None
    current_max_age: int | None
    host_problems: tuple[Finding, ...]
    coverage_problems: tuple[Finding, ...]
    hosting_problems: tuple[Finding, ...]
    expiring: tuple[Finding, ...]
    inconclusive: tuple[Finding, ...]
    tlsrpt_records: tuple[str, ...]
    provider_names: tuple[str, ...]

    @property
    def broken_transport(self) -> bool:
        return bool(self.host_problems or self.hosting_problems)


def next_patterns(mx_hosts: Sequence[str], policy: StsPolicy | None) -> tuple[str, ...]:
    """`mx:` lines covering every live MX and nothing else.

    A client pattern that already matches a live MX is kept, so a working policy is not
    rewritten for style. Every other host gets its provider family's line, or its exact name
    (`assessment.providers.policy_line`). Lines matching no live MX are dropped: they widen
    the hosts senders trust, and a provider pattern that can never match (`*.mx.microsoft`)
    only looks like protection. A future MX move is handled in the plan's safe order instead.
    """
    out: list[str] = []

    def add(pattern: str) -> None:
        name = pattern.lower().removesuffix(".")
        if name not in out and mx_pattern_error(name) is None:
            out.append(name)

    for host in mx_hosts:
        kept = (
            [p.pattern for p in policy.mx if p.valid and mx_pattern_matches(p.pattern, host)]
            if policy is not None
            else []
        )
        for pattern in kept:
            add(pattern)
        if not kept:
            add(policy_line(host))
    return tuple(out)


def detect_state(
    ctx: DomainContext, findings: Sequence[Finding], removed: Sequence[str] = ()
) -> DomainState:
    """Where the domain stands; `removed` are MX hosts the plan takes out of the MX set, so
    their problems and their policy lines do not hold the plan up."""
    mine = [f for f in findings if f.domain == ctx.domain and f.host not in removed]
    host_problems = tuple(f for f in mine if f.code in HOST_TRANSPORT_CODES and not f.inconclusive)
    coverage = tuple(f for f in mine if f.code in MX_COVERAGE_CODES)
    hosting = tuple(f for f in mine if f.code in POLICY_HOSTING_CODES)
    expiring = tuple(f for f in mine if f.code in SOON_CODES)
    inconclusive = tuple(
        f for f in mine if f.inconclusive and f.code.startswith(("MTA_STS", "SMTP", "TLS"))
    )
    policy = ctx.policy
    records = ctx.sts_records
    current_id = parse_sts_txt(records[0]).id if len(records) == 1 else None
    mode = policy.mode if policy is not None else None
    reasons: list[str] = []
    if not records:
        phase = StsPhase.NONE
        if policy is not None:
            reasons.append(
                f"A policy file is served for {ctx.domain}, but there is no `_mta-sts` TXT "
                "record, so senders never look for it."
            )
        else:
            reasons.append(f"No `_mta-sts.{ctx.domain}` TXT record and no policy were found.")
    elif policy is None or mode is None or hosting:
        # A published TXT whose policy senders cannot read is the dangerous case: senders
        # holding an earlier cached policy keep applying it, while new senders see nothing.
        phase = StsPhase.BROKEN_ENFORCE
        reasons.append(
            f"The `_mta-sts.{ctx.domain}` TXT record is published but senders cannot use the "
            "policy: " + "; ".join(f.title for f in hosting) + "."
            if hosting
            else f"The `_mta-sts.{ctx.domain}` TXT record is published but no usable policy "
            "was fetched."
        )
    elif mode is StsMode.ENFORCE and (coverage or host_problems):
        phase = StsPhase.BROKEN_ENFORCE
        reasons.append(
            "The policy is `mode: enforce`, but "
            + "; ".join(
                f"{f.host or ctx.domain}: {f.title.lower()}" for f in coverage + host_problems
            )
            + ". Compliant senders refuse to deliver to those hosts."
        )
    elif mode is StsMode.ENFORCE:
        phase = StsPhase.ENFORCE
        reasons.append(
            f"The policy is `mode: enforce` with max_age {policy.max_age} and covers every MX."
        )
    elif mode is StsMode.TESTING:
        phase = StsPhase.TESTING
        reasons.append(f"The policy is `mode: testing` with max_age {policy.max_age}.")
    else:
        phase = StsPhase.NONE
        reasons.append("The policy is `mode: none`: MTA-STS is switched off (or being withdrawn).")
    planned = tuple(h for h in ctx.mx_hosts if h not in removed) or ctx.mx_hosts
    providers: list[str] = []
    for host in planned:
        provider = provider_for_host(host)
        if provider is not None and provider.name not in providers:
            providers.append(provider.name)
    return DomainState(
        domain=ctx.domain,
        phase=phase,
        reasons=tuple(reasons),
        mx_hosts=ctx.mx_hosts,
        planned_mx=planned,
        patterns=next_patterns(planned, policy),
        current_patterns=tuple(p.pattern for p in policy.mx if p.valid) if policy else (),
        current_id=current_id,
        current_mode=mode,
        current_max_age=policy.max_age if policy is not None else None,
        host_problems=host_problems,
        coverage_problems=coverage,
        hosting_problems=hosting,
        expiring=expiring,
        inconclusive=inconclusive,
        tlsrpt_records=ctx.tlsrpt_records,
        provider_names=tuple(providers),
    )
