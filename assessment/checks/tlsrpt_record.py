"""The TLS-RPT DNS record at `_smtp._tls.<domain>` (RFC 8460 §3)."""

from __future__ import annotations

from assessment.checks import describe
from assessment.checks.context import DomainContext
from assessment.checks.findings import FindingSink
from assessment.model import Outcome, Severity
from assessment.records.problem import ProblemLevel
from assessment.records.tlsrpt import parse_tlsrpt_txt


def check(ctx: DomainContext, out: FindingSink) -> None:
    if ctx.domain_missing:
        return
    item = ctx.lookup(f"_smtp._tls.{ctx.domain}", "TXT")
    if item is None:
        return
    evidence = [describe.lookup(item)]
    if item.outcome.inconclusive:
        out.add(
            "TLS_RPT_INCONCLUSIVE", evidence=evidence, name=item.name, outcome=item.outcome.value
        )
        return
    records = ctx.tlsrpt_records
    others = [t for t in item.answers if t not in records]
    if others and item.outcome is Outcome.OK:
        out.add(
            "DNS_UNRELATED_TXT",
            evidence=evidence,
            name=item.name,
            expected="v=TLSRPTv1",
            records="; ".join(others[:3]),
        )
    if not records:
        if not ctx.receives_mail:
            return
        policies = [
            label
            for label, present in (
                ("MTA-STS", bool(ctx.sts_records)),
                ("DANE (TLSA)", bool(ctx.tlsa_hosts)),
            )
            if present
        ]
        if policies:
            out.add(
                "TLS_RPT_MISSING_WITH_POLICY", evidence=evidence, policies=" and ".join(policies)
            )
        else:
            out.add("TLS_RPT_MISSING", evidence=evidence)
        return
    if len(records) > 1:
        out.add("TLS_RPT_MULTIPLE_RECORDS", evidence=evidence, count=len(records))
        return
    record = parse_tlsrpt_txt(records[0])
    for problem in record.problems:
        code = "TLS_RPT_NOTE" if problem.level is ProblemLevel.INFO else "TLS_RPT_SYNTAX"
        position = str(problem.position + 1) if problem.position is not None else "-"
        severity = Severity.MEDIUM if problem.level is ProblemLevel.WARNING else None
        out.add(
            code, evidence=evidence, problem=problem.message, position=position, severity=severity
        )
    usable = [uri for uri in record.rua if uri.valid]
    if len(record.rua) > 1:
        out.add(
            "TLS_RPT_SEVERAL_RUA", evidence=evidence, count=len(record.rua), first=record.rua[0].raw
        )
    if record.valid and usable:
        out.add("TLS_RPT_OK", evidence=evidence, destinations=", ".join(u.raw for u in usable))
