"""DNS hygiene across policy names: records at the wrong name (checklist DNS-04/05)."""

from __future__ import annotations

from assessment.checks import describe
from assessment.checks.context import DomainContext
from assessment.checks.findings import FindingSink

# (prefix as written at the wrong name, what it is, where it belongs)
_WRONG_AT_APEX = (
    ("v=DMARC1", "DMARC", "_dmarc.{domain}"),
    ("v=STSv1", "MTA-STS", "_mta-sts.{domain}"),
    ("v=TLSRPTv1", "TLS-RPT", "_smtp._tls.{domain}"),
)


def check(ctx: DomainContext, out: FindingSink) -> None:
    apex = ctx.lookup(ctx.domain, "TXT")
    if apex is None:
        return
    for text in apex.answers:
        for prefix, kind, expected in _WRONG_AT_APEX:
            if text.startswith(prefix):
                out.add(
                    "DNS_POLICY_AT_WRONG_NAME",
                    evidence=[describe.lookup(apex)],
                    kind=kind,
                    name=ctx.domain,
                    expected=expected.format(domain=ctx.domain),
                )
    for name in (f"_smtp.{ctx.domain}", f"_tls.{ctx.domain}", f"_smtp-tls.{ctx.domain}"):
        item = ctx.lookup(name, "TXT")
        if item is not None and any(t.startswith("v=TLSRPTv1") for t in item.answers):
            out.add("TLS_RPT_WRONG_NAME", evidence=[describe.lookup(item)], name=name)
