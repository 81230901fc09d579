"""The plan's self-check: every record and policy it tells the client to publish is parsed back
with the kit's own parsers and must be valid; every MTA-STS policy must cover every planned MX
with the same RFC 8461 matcher the checks use and carry no line that can never match its
provider's hosts; and a policy body that changes gets a new id. A plan that fails is a bug in
the kit: `build_plan` raises rather than hand it to a client.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from assessment.names import DomainName, DomainNameError, to_ascii
from assessment.planning.steps import PlanStep, Record
from assessment.providers import dead_provider_pattern
from assessment.recommended import NULL_MX, PARKED_DKIM
from assessment.records.dkim import parse_dkim_key
from assessment.records.dmarc import is_dmarc_record, parse_dmarc
from assessment.records.mtasts import (
    StsMode,
    mx_pattern_matches,
    parse_sts_policy,
    parse_sts_txt,
)
from assessment.records.mx import parse_mx_answer
from assessment.records.problem import Problem, ProblemLevel
from assessment.records.spf import parse_spf
from assessment.records.tlsrpt import parse_tlsrpt_txt

if TYPE_CHECKING:
    from assessment.planning.plan import DomainPlan, RolloutPlan


class PlanSelfCheckError(AssertionError):
    """The plan would tell the client to publish something wrong: a bug in the kit."""


def _errors(problems: Iterable[Problem]) -> list[str]:
    return [p.message for p in problems if p.level is ProblemLevel.ERROR]


def record_problems(record: Record) -> list[str]:
    """Why one DNS record the plan prints is not valid, by its kind."""
    where = f"{record.name} {record.rtype}"
    value = record.value
    if record.rtype == "CNAME":
        target = record.value.rstrip(".")
        try:
            DomainName.parse(target)
            to_ascii(record.name)
        except DomainNameError as exc:
            return [f"{where}: {exc}"]
        return []
    if record.rtype == "MX":
        entry = parse_mx_answer(value)
        if value == NULL_MX and entry.exchange == "" and entry.preference == 0:
            return []
        return [] if entry.exchange and entry.preference is not None else [f"{where}: {value!r}"]
    if record.name.startswith("_dmarc."):
        if not is_dmarc_record(value):
            return [f"{where}: not selected as DMARC: {value!r}"]
        parsed = parse_dmarc(value)
        return [f"{where}: {m}" for m in _errors(parsed.problems)] + (
            [] if parsed.p is not None else [f"{where}: no valid p= in {value!r}"]
        )
    if record.name.startswith("_mta-sts."):
        return [f"{where}: {m}" for m in _errors(parse_sts_txt(value).problems)]
    if record.name.startswith("_smtp._tls."):
        parsed_rpt = parse_tlsrpt_txt(value)
        return [f"{where}: {m}" for m in _errors(parsed_rpt.problems)] + (
            [] if parsed_rpt.rua else [f"{where}: no rua"]
        )
    if "._domainkey." in record.name:
        if value != PARKED_DKIM:
            key = parse_dkim_key(value)
            return [f"{where}: {m}" for m in _errors(key.problems)]
        return []
    if value.lower().startswith("v=spf1"):
        spf = parse_spf(value)
        problems = [f"{where}: {m}" for m in _errors(spf.problems)]
        if not spf.version_ok:
            problems.append(f"{where}: not selected as SPF")
        return problems
    return [f"{where}: the self-check does not know this record"]


def _policy_problems(domain: DomainPlan, step: PlanStep) -> list[str]:
    assert step.policy is not None
    where = f"{domain.domain}: policy of step {step.title!r}"
    policy = parse_sts_policy(step.policy)
    problems = [f"{where}: {m}" for m in _errors(policy.problems)]
    if policy.mode is StsMode.NONE:
        return problems
    lines = [p.pattern for p in policy.mx if p.valid]
    for host in domain.planned_mx:
        if not any(mx_pattern_matches(line, host) for line in lines):
            problems.append(f"{where}: MX {host} matches none of {lines}")
    for line in lines:
        if dead_provider_pattern(line) is not None:
            problems.append(f"{where}: mx: {line} can never match its provider's hosts")
        if not any(mx_pattern_matches(line, host) for host in domain.planned_mx):
            problems.append(f"{where}: mx: {line} matches no planned MX")
    if step.txt is None:
        problems.append(f"{where}: a policy without its TXT id")
    return problems


def _id_problems(domain: DomainPlan) -> list[str]:
    """A new body never reuses an id: not one of the plan's, not the one published today
    (senders that cached today's policy would never re-read it)."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    if domain.current_sts_id and domain.current_policy is not None:
        seen[domain.current_sts_id] = domain.current_policy
    for step in domain.steps:
        if step.policy is None or step.txt is None:
            continue
        ident = parse_sts_txt(step.txt).id
        if ident is None:
            problems.append(f"{domain.domain}: TXT {step.txt!r} has no id")
            continue
        before = seen.get(ident)
        if before is not None and before != step.policy:
            problems.append(f"{domain.domain}: id {ident} reused for a different policy body")
        seen[ident] = step.policy
    return problems


def plan_problems(plan: RolloutPlan) -> list[str]:
    problems: list[str] = []
    for domain in plan.domains:
        for step in domain.steps:
            for record in step.records:
                problems += record_problems(record)
            if step.policy is not None:
                problems += _policy_problems(domain, step)
            if step.switch and not plan.calendar.can_switch(step.start):
                problems.append(f"{domain.domain}: {step.title!r} lands on {step.start}")
            if not plan.calendar.is_working_day(step.start):
                problems.append(f"{domain.domain}: {step.title!r} starts on a non-working day")
        problems += _id_problems(domain)
        for artifact in domain.artifacts:
            if artifact.filename.endswith(".txt") and artifact.filename.startswith("mta-sts"):
                parsed = parse_sts_policy(artifact.text)
                problems += [f"{artifact.filename}: {m}" for m in _errors(parsed.problems)]
    return problems


def verify_plan(plan: RolloutPlan) -> None:
    problems = plan_problems(plan)
    if problems:
        raise PlanSelfCheckError("; ".join(problems))
