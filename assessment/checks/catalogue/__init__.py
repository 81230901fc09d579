"""Every finding code mailposture can emit, with its wording: the one catalogue.

`docs/findings.md` is generated from this (`python -m assessment.checks.catalogue`), and a
test keeps the two in sync.
"""

from __future__ import annotations

from assessment.checks.catalogue import (
    dane,
    dkim,
    dmarc,
    dnssec,
    mtasts,
    mx,
    spf,
    starttls,
    tlsrpt,
)
from assessment.checks.catalogue.entry import Rule
from assessment.model import Control

# One module per control; the order here is the order of docs/findings.md within a control.
_MODULES = (spf, dkim, dmarc, mx, mtasts, tlsrpt, starttls, dane, dnssec)

CATALOGUE: dict[str, Rule] = {}
for _rule in (rule for module in _MODULES for rule in module.RULES):
    if _rule.code in CATALOGUE:
        raise RuntimeError(f"duplicate finding code {_rule.code}")
    CATALOGUE[_rule.code] = _rule


def rule(code: str) -> Rule:
    return CATALOGUE[code]


def render_markdown() -> str:
    """The findings catalogue as Markdown, one section per control."""
    lines = [
        "# Finding codes",
        "",
        "Generated from `assessment/checks/catalogue/` by "
        "`python -m assessment.checks.catalogue > docs/findings.md`. Do not edit by hand.",
        "",
        f"{len(CATALOGUE)} codes. Severities are defaults; a check may raise or lower one "
        "where the "
        "detail says why (for example MTA-STS `enforce` turns a certificate problem critical).",
        "",
    ]
    for control in Control:
        rules = sorted(
            (r for r in CATALOGUE.values() if r.control is control),
            key=lambda r: (r.severity.rank, r.code),
        )
        if not rules:
            continue
        lines += [f"## {control.label}", ""]
        for r in rules:
            checklist = f" (checklist {', '.join(r.checklist)})" if r.checklist else ""
            lines += [
                f"### `{r.code}`",
                "",
                f"**{r.severity.value}**{' · inconclusive' if r.inconclusive else ''}: "
                f"{r.title}{checklist}",
                "",
                f"- Why it matters: {r.why}",
                f"- Fix: {r.fix}",
                f"- References: {'; '.join(r.refs)}",
                "",
            ]
    return "\n".join(lines).rstrip() + "\n"


__all__ = ["CATALOGUE", "Rule", "render_markdown", "rule"]
