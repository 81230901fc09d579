"""SPF (RFC 7208): record selection, syntax, the lookup limits over the whole tree, `all`."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from assessment.checks import describe
from assessment.checks.context import ABSENT, DomainContext
from assessment.checks.dmarc import effective_policy
from assessment.checks.findings import FindingSink
from assessment.model import Outcome, Severity
from assessment.providers import providers_for_hosts
from assessment.records.problem import ProblemLevel, SpfCode
from assessment.records.spf import SpfRecord, is_spf_record, parse_spf

LOOKUP_LIMIT = 10
VOID_LIMIT = 2
MX_NAME_LIMIT = 10

# Problems that become their own, more specific finding instead of a generic syntax one.
_OWN_FINDING = frozenset(
    {
        SpfCode.PASS_ALL,
        SpfCode.TERMS_AFTER_ALL,
        SpfCode.REDIRECT_IGNORED,
        SpfCode.PTR_MECHANISM,
        SpfCode.RECORD_LONG,
        SpfCode.RECORD_TOO_LONG,
        SpfCode.IP_ALL_ADDRESSES,
    }
)


@dataclass
class _Walk:
    """Worst-case evaluation tally over the include/redirect tree (§4.6.4)."""

    lookups: int = 0
    voids: list[str] = field(default_factory=list)
    macros: bool = False


_PROBLEM_CODES = {
    ProblemLevel.ERROR: "SPF_SYNTAX_ERROR",
    ProblemLevel.WARNING: "SPF_SYNTAX_WARNING",
    ProblemLevel.INFO: "SPF_NOTE",
}


def _broad_ranges(out: FindingSink, record: SpfRecord, name: str, evidence: list[str]) -> None:
    for term in record.mechanisms:
        if term.name not in ("ip4", "ip6") or term.value is None or not term.valid:
            continue
        prefix = term.cidr4 if term.name == "ip4" else term.cidr6
        try:
            network = ipaddress.ip_network(
                f"{term.value}/{prefix}" if prefix is not None else term.value, strict=False
            )
        except ValueError:
            continue
        too_broad = network.prefixlen < (16 if network.version == 4 else 32)
        if too_broad:
            everything = network.prefixlen == 0
            out.add(
                "SPF_PASS_ALL" if everything else "SPF_BROAD_RANGE",
                evidence=evidence,
                severity=None if everything else Severity.HIGH,
                term=term.raw,
                name=name,
                addresses=f"{network.num_addresses:,}",
            )


class _TreeWalker:
    """Re-walks the SPF tree gather recorded, counting what an evaluator would."""

    def __init__(self, ctx: DomainContext, out: FindingSink) -> None:
        self.ctx = ctx
        self.out = out
        self.tally = _Walk()
        self.reported: set[tuple[str, str]] = set()

    def _target_record(
        self, target: str, parent: str, kind: str, path: tuple[str, ...]
    ) -> SpfRecord | None:
        item = self.ctx.lookup(target, "TXT")
        if item is None:
            return None  # beyond gather's cap: counted, not judged
        if item.outcome.inconclusive:
            self.out.add(
                "SPF_INCLUDE_INCONCLUSIVE",
                evidence=[describe.lookup(item)],
                target=target,
                outcome=item.outcome.value,
            )
            return None
        records = (
            [t for t in item.answers if is_spf_record(t)] if item.outcome is Outcome.OK else []
        )
        if item.outcome in ABSENT:
            self.tally.voids.append(target)
        if len(records) != 1:
            outcome = (
                item.outcome.value
                if item.outcome is not Outcome.OK
                else f"{len(records)} SPF records"
            )
            code = "SPF_INCLUDE_NO_RECORD" if kind == "include" else "SPF_REDIRECT_NO_RECORD"
            if (code, target) not in self.reported:
                self.reported.add((code, target))
                self.out.add(
                    code,
                    evidence=[describe.lookup(item)],
                    target=target,
                    parent=parent,
                    outcome=outcome,
                )
            return None
        child = parse_spf(records[0])
        if not child.valid:
            # An included or redirected-to record in permerror makes the whole evaluation
            # permerror (RFC 7208 §5.2, §6.1), whoever owns that record.
            problem = next(
                (p.message for p in child.problems if p.level is ProblemLevel.ERROR),
                "the record is not valid SPF",
            )
            self.out.add(
                "SPF_INCLUDE_PERMERROR",
                evidence=[describe.lookup(item)],
                target=target,
                kind=kind,
                parent=parent,
                problem=problem,
            )
            return None
        return child

    def walk(self, record: SpfRecord, name: str, path: tuple[str, ...]) -> int:
        """Lookups this record costs, its includes included."""
        cost = 0
        if record.has_macros:
            self.tally.macros = True
        for term in record.lookup_terms:
            cost += 1
            target = (term.value or name).lower().rstrip(".")
            if "%" in target:
                continue
            if term.name in ("include", "redirect"):
                if target in path:
                    self.out.add("SPF_LOOP", path=" -> ".join((*path, target)))
                    continue
                child = self._target_record(target, name, term.name, path)
                if child is not None:
                    cost += self.walk(child, target, (*path, target))
            else:
                self._count_void(term.name, target)
        return cost

    def _count_void(self, mechanism: str, target: str) -> None:
        types = {"a": ("A", "AAAA"), "mx": ("MX",), "exists": ("A",), "ptr": ()}[mechanism]
        items = [self.ctx.lookup(target, t) for t in types]
        seen = [item for item in items if item is not None]
        failed = next((item for item in seen if item.outcome.inconclusive), None)
        if failed is not None:
            # A receiver hitting the same failure returns temperror for the message.
            self.out.add(
                "SPF_INCLUDE_INCONCLUSIVE",
                evidence=[describe.lookup(failed)],
                target=f"{mechanism}:{target}",
                outcome=failed.outcome.value,
            )
        elif seen and all(item.outcome in ABSENT for item in seen):
            self.tally.voids.append(f"{mechanism}:{target}")
        if mechanism == "mx":
            mx = self.ctx.lookup(target, "MX")
            if mx is not None and len(mx.answers) > MX_NAME_LIMIT:
                self.out.add(
                    "SPF_MX_TOO_MANY_NAMES",
                    evidence=[describe.lookup(mx)],
                    name=target,
                    count=len(mx.answers),
                )


def _breakdown(ctx: DomainContext, out: FindingSink, record: SpfRecord) -> tuple[int, str, _Walk]:
    """Per top-level term cost, so a client can see which include is expensive."""
    walker = _TreeWalker(ctx, out)
    parts: list[str] = []
    total = 0
    for term in record.lookup_terms:
        single = SpfRecord(text=term.raw, version_ok=True, terms=(term,), problems=())
        cost = walker.walk(single, ctx.domain, (ctx.domain,))
        total += cost
        parts.append(f"{term.raw} = {cost}")
    return total, ", ".join(parts) or "no lookup terms", walker.tally


# Outcomes that make SPF permerror or temperror for every message: no "valid" verdict then.
SPF_BROKEN = frozenset(
    {
        "SPF_MULTIPLE_RECORDS",
        "SPF_SYNTAX_ERROR",
        "SPF_TOO_MANY_LOOKUPS",
        "SPF_VOID_LOOKUPS",
        "SPF_MX_TOO_MANY_NAMES",
        "SPF_LOOP",
        "SPF_INCLUDE_NO_RECORD",
        "SPF_INCLUDE_PERMERROR",
        "SPF_REDIRECT_NO_RECORD",
    }
)
REDIRECT_DEPTH = 10


def final_record(ctx: DomainContext, record: SpfRecord) -> SpfRecord:
    """The record whose `all` decides: follow `redirect=` while there is no `all` (§6.1)."""
    seen = {ctx.domain}
    current = record
    for _ in range(REDIRECT_DEPTH):
        target = current.redirect
        if current.all_term is not None or not target or "%" in target:
            return current
        target = target.lower().rstrip(".")
        if target in seen:
            return current
        seen.add(target)
        found = [t for t in ctx.txt(target) if is_spf_record(t)]
        if len(found) != 1:
            return current
        current = parse_spf(found[0])
    return current


def _dmarc_state(ctx: DomainContext) -> tuple[bool, str]:
    # The policy a receiver applies, inherited from the organizational domain if need be.
    governing = effective_policy(ctx)
    if governing is None:
        return False, "absent" if not ctx.dmarc_records else "broken"
    return governing.enforcing, f"p={governing.policy.value}"


def check(ctx: DomainContext, out: FindingSink) -> None:
    apex = ctx.lookup(ctx.domain, "TXT")
    if apex is None or ctx.domain_missing:
        return
    if apex.outcome.inconclusive:
        out.add(
            "SPF_INCONCLUSIVE",
            evidence=[describe.lookup(apex)],
            name=apex.name,
            rdtype="TXT",
            outcome=apex.outcome.value,
        )
        return
    evidence = [describe.lookup(apex)]
    records = ctx.spf_records
    if not records:
        if not ctx.receives_mail:
            out.add(
                "SPF_PARKED_NOT_REJECTING",
                evidence=evidence,
                reason=ctx.no_mail_reason,
                spf_state="absent",
            )
        else:
            out.add("SPF_MISSING", evidence=evidence, suggestion=_suggestion(ctx))
        return
    if len(records) > 1:
        out.add("SPF_MULTIPLE_RECORDS", evidence=evidence, count=len(records))
        return
    record = parse_spf(records[0])
    out.add_problems(
        record.problems, _PROBLEM_CODES, name=ctx.domain, evidence=evidence, skip=_OWN_FINDING
    )
    _broad_ranges(out, record, ctx.domain, evidence)
    if not record.valid:
        return

    total, breakdown, tally = _breakdown(ctx, out, record)
    if total > LOOKUP_LIMIT:
        out.add("SPF_TOO_MANY_LOOKUPS", evidence=evidence, count=total, breakdown=breakdown)
    elif total >= LOOKUP_LIMIT - 1:
        out.add("SPF_NEAR_LOOKUP_LIMIT", evidence=evidence, count=total, breakdown=breakdown)
    if len(tally.voids) > VOID_LIMIT:
        out.add(
            "SPF_VOID_LOOKUPS",
            evidence=evidence,
            count=len(tally.voids),
            names=", ".join(tally.voids),
        )
    if tally.macros:
        out.add("SPF_MACROS", evidence=evidence)
    size = len(records[0].encode())
    if size > 450:
        # Over 512 octets the answer needs TCP, which some verifiers never try (SPF-06).
        severity = Severity.MEDIUM if size > 512 else None
        out.add("SPF_RECORD_LONG", evidence=evidence, length=size, severity=severity)
    for problem in record.problems:
        if problem.code == SpfCode.PTR_MECHANISM:
            out.add("SPF_PTR_USED", evidence=evidence, term=problem.token or "ptr")
        elif problem.code == SpfCode.TERMS_AFTER_ALL:
            all_term = record.all_term
            out.add(
                "SPF_TERMS_AFTER_ALL",
                evidence=evidence,
                terms=problem.token or "terms",
                all=all_term.raw if all_term else "all",
            )
        elif problem.code == SpfCode.REDIRECT_IGNORED:
            out.add("SPF_REDIRECT_WITH_ALL", evidence=evidence, target=record.redirect or "?")

    _all_verdict(ctx, out, record, evidence, total)


def _all_verdict(
    ctx: DomainContext, out: FindingSink, record: SpfRecord, evidence: list[str], total: int
) -> None:
    record = final_record(ctx, record)
    qualifier = record.all_qualifier
    enforcing, dmarc_state = _dmarc_state(ctx)
    if qualifier is None and record.redirect is None:
        out.add("SPF_NO_ALL", evidence=evidence)
    elif qualifier is not None and qualifier.value == "+":
        term = record.all_term
        out.add("SPF_PASS_ALL", evidence=evidence, term=term.raw if term else "+all")
    elif qualifier is not None and qualifier.value == "?":
        out.add("SPF_NEUTRAL_ALL", evidence=evidence)
    elif qualifier is not None and qualifier.value == "~" and not enforcing:
        out.add("SPF_SOFTFAIL_ALL", evidence=evidence, dmarc_state=dmarc_state)
    if not ctx.receives_mail and (qualifier is None or qualifier.value != "-"):
        out.add(
            "SPF_PARKED_NOT_REJECTING",
            evidence=evidence,
            reason=ctx.no_mail_reason,
            spf_state=f'"{record.text}"',
        )
    blocking = SPF_BROKEN | {
        "SPF_NO_ALL",
        "SPF_PASS_ALL",
        "SPF_NEUTRAL_ALL",
        "SPF_INCLUDE_INCONCLUSIVE",
    }
    if not out.codes() & blocking:
        out.add("SPF_OK", evidence=evidence, record=record.text, count=total)


def _suggestion(ctx: DomainContext) -> str:
    terms = [p.spf_include for p in providers_for_hosts(list(ctx.mx_hosts)) if p.spf_include]
    return "v=spf1 " + " ".join([*terms, "-all"])
