"""Pairing the findings of two runs: the same finding is the same code on the same domain and
host; its wording may differ (days left, a count), its severity may have changed."""

from __future__ import annotations

from collections.abc import Sequence

from assessment.diff.model import SeverityChange
from assessment.model import Finding

_Key = tuple[str, str, str]


def _key(finding: Finding) -> _Key:
    return (finding.domain, finding.code, finding.host or "")


def _grouped(findings: Sequence[Finding]) -> dict[_Key, list[Finding]]:
    out: dict[_Key, list[Finding]] = {}
    for finding in findings:
        out.setdefault(_key(finding), []).append(finding)
    return out


def match_findings(
    before: Sequence[Finding], after: Sequence[Finding]
) -> tuple[tuple[Finding, ...], tuple[Finding, ...], tuple[SeverityChange, ...]]:
    """New, resolved and severity-changed findings.

    Within one (domain, code, host) several findings can exist (one per SPF term, say): they
    pair by identical detail first, then in order, so only a change in their number makes a
    finding new or resolved.
    """
    old, now = _grouped(before), _grouped(after)
    new: list[Finding] = []
    resolved: list[Finding] = []
    changed: list[SeverityChange] = []
    for key in dict.fromkeys([*old, *now]):
        left, right = list(old.get(key, ())), list(now.get(key, ()))
        pairs: list[tuple[Finding, Finding]] = []
        for item in list(right):
            twin = next((f for f in left if f.detail == item.detail), None)
            if twin is not None:
                left.remove(twin)
                right.remove(item)
                pairs.append((twin, item))
        pairs += list(zip(left, right, strict=False))
        count = min(len(left), len(right))
        resolved += left[count:]
        new += right[count:]
        changed += [SeverityChange(a, b) for a, b in pairs if a.severity is not b.severity]
    return (
        tuple(sorted(new, key=lambda f: f.sort_key)),
        tuple(sorted(resolved, key=lambda f: f.sort_key)),
        tuple(sorted(changed, key=lambda c: c.after.sort_key)),
    )
