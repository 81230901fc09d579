"""Every record the plan prints is checked by the kit's own parsers and matched against the MX
set: over every provider family and every MTA-STS phase, and over generated MX sets."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment.checks import run_checks
from assessment.model import (
    ConnOutcome,
    DnsLookup,
    DomainEvidence,
    Evidence,
    HttpsFetch,
    NetworkProfile,
    Outcome,
)
from assessment.planning import PlanSelfCheckError, StepKind, build_plan
from assessment.planning.steps import Record
from assessment.planning.verify import plan_problems, record_problems
from assessment.providers import PROVIDERS, dead_provider_pattern, policy_line
from assessment.records.mtasts import mx_pattern_matches, parse_sts_policy

TODAY = date(2026, 10, 20)
DOMAIN = "client.example"


def _evidence(mx: list[str], policy: str | None, dmarc: str = "v=DMARC1; p=none") -> Evidence:
    def ok(name: str, rdtype: str, *answers: str) -> DnsLookup:
        return DnsLookup(name, rdtype, Outcome.OK if answers else Outcome.NODATA, answers)

    dns = [
        ok(DOMAIN, "MX", *(f"{10 * (i + 1)} {h}." for i, h in enumerate(mx))),
        ok(DOMAIN, "TXT", "v=spf1 -all"),
        ok(DOMAIN, "A"),
        ok(f"_dmarc.{DOMAIN}", "TXT", dmarc),
        ok(f"_smtp._tls.{DOMAIN}", "TXT", f"v=TLSRPTv1; rua=mailto:tls@{DOMAIN}"),
        ok(f"_mta-sts.{DOMAIN}", "TXT", *(("v=STSv1; id=20260101T000000",) if policy else ())),
    ]
    fetch = (
        HttpsFetch(
            url=f"https://mta-sts.{DOMAIN}/.well-known/mta-sts.txt",
            host=f"mta-sts.{DOMAIN}",
            port=443,
            outcome=ConnOutcome.OK,
            status=200,
            content_type="text/plain",
            body=policy,
            body_bytes=len(policy),
        )
        if policy
        else None
    )
    domain = DomainEvidence(DOMAIN, dns=tuple(dns), mta_sts_policy=fetch)
    return Evidence(
        "Client", "2026-10-20T09:00:00Z", "2026-10-20T09:01:00Z", "", NetworkProfile(), (domain,)
    )


def _policy(mode: str, lines: list[str]) -> str:
    body = "".join(f"mx: {line}\n" for line in lines)
    return f"version: STSv1\nmode: {mode}\n{body}max_age: 86400\n"


def _plan_checks(mx: list[str], policy: str | None) -> None:
    evidence = _evidence(mx, policy)
    plan = build_plan(evidence, run_checks(evidence), assessed_on=TODAY)
    assert plan_problems(plan) == []
    (domain,) = plan.domains
    for step in domain.steps:
        if step.policy is None:
            continue
        parsed = parse_sts_policy(step.policy)
        lines = [p.pattern for p in parsed.mx]
        assert all(any(mx_pattern_matches(x, h) for x in lines) for h in domain.planned_mx)
        assert not any(dead_provider_pattern(x) for x in lines)


FAMILY_HOSTS = [
    (provider.name, family.example) for provider in PROVIDERS for family in provider.families
]


@pytest.mark.parametrize(("provider", "host"), FAMILY_HOSTS)
@pytest.mark.parametrize("phase", ["none", "testing", "enforce", "enforce-dead-line", "stale"])
def test_every_provider_and_phase_gets_a_policy_that_matches(
    provider: str, host: str, phase: str
) -> None:
    if phase == "none":
        policy = None
    elif phase == "enforce-dead-line":
        # The trap the kit once fell into: a line that names Microsoft's family one label high.
        policy = _policy("enforce", [policy_line(host), "*.mx.microsoft"])
    elif phase == "stale":
        policy = _policy("testing", ["old-host.example.net"])
    else:
        policy = _policy(phase, [policy_line(host)])
    _plan_checks([host], policy)


def test_microsoft_dnssec_hosts_are_named_exactly() -> None:
    host = "client-example.o-v1.mx.microsoft"
    assert policy_line(host) == host
    assert not mx_pattern_matches("*.mx.microsoft", host)
    assert dead_provider_pattern("*.mx.microsoft") is not None
    assert dead_provider_pattern("*.o-v1.mx.microsoft") is None


def test_the_self_check_catches_a_wrong_policy() -> None:
    evidence = _evidence(["client-example.mail.protection.outlook.com"], None)
    plan = build_plan(evidence, run_checks(evidence), assessed_on=TODAY)
    (domain,) = plan.domains
    testing = next(s for s in domain.steps if s.kind is StepKind.TESTING)
    bad = testing.__class__(
        **{**testing.__dict__, "policy": _policy("testing", ["*.mx.microsoft"])}
    )
    broken = plan.__class__(
        **{
            **plan.__dict__,
            "domains": (domain.__class__(**{**domain.__dict__, "steps": (bad,)}),),
        }
    )
    problems = plan_problems(broken)
    assert any("matches none of" in p for p in problems)
    assert any("can never match" in p for p in problems)


@pytest.mark.parametrize(
    ("record", "ok"),
    [
        (Record("_dmarc.a.example", "TXT", "v=DMARC1; p=reject"), True),
        (Record("_dmarc.a.example", "TXT", "v=dmarc1; p=reject"), False),
        (Record("a.example", "TXT", "v=spf1 -all"), True),
        (Record("a.example", "TXT", "v=spf1 include: -all"), False),
        (Record("a.example", "MX", "0 ."), True),
        (Record("_mta-sts.a.example", "TXT", "v=STSv1; id=2026-01-01"), False),
        (Record("_smtp._tls.a.example", "TXT", "v=TLSRPTv1; rua=mailto:t@a.example"), True),
        (Record("*._domainkey.a.example", "TXT", "v=DKIM1; p="), True),
    ],
)
def test_record_self_check(record: Record, ok: bool) -> None:
    assert (record_problems(record) == []) is ok


def test_build_plan_refuses_to_return_a_plan_that_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    # Simulate a bug in the policy writer: the guard in build_plan must stop the plan.
    import assessment.planning.sts as sts

    monkeypatch.setattr(
        sts, "policy_body", lambda mode, patterns, max_age: _policy(str(mode), ["*.mx.microsoft"])
    )
    evidence = _evidence(["client-example.mail.protection.outlook.com"], None)
    with pytest.raises(PlanSelfCheckError, match="can never match"):
        build_plan(evidence, run_checks(evidence), assessed_on=TODAY)


_LABEL = st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True)
_PROVIDER_HOST = st.sampled_from([h for _, h in FAMILY_HOSTS])
_OWN_HOST = st.builds(lambda a, b: f"{a}.{b}.example", _LABEL, _LABEL)
_TENANT_HOST = st.builds(
    lambda t, f: f"{t}.{f}-v1.mx.microsoft", _LABEL, st.sampled_from(["a", "o", "p", "l"])
)


@settings(max_examples=60, deadline=None)
@given(
    mx=st.lists(
        st.one_of(_PROVIDER_HOST, _OWN_HOST, _TENANT_HOST), min_size=1, max_size=5, unique=True
    ),
    phase=st.sampled_from(["none", "testing", "enforce"]),
    keep=st.booleans(),
)
def test_generated_mx_sets_always_get_a_covering_policy(
    mx: list[str], phase: str, keep: bool
) -> None:
    policy = None
    if phase != "none":
        lines = [policy_line(h) for h in mx] if keep else [policy_line(mx[0])]
        policy = _policy(phase, lines)
    _plan_checks(mx, policy)
