"""The values a comparison of two runs produces, and what "regressed" means."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from assessment.codec import JsonValue, to_json
from assessment.model import Finding, Severity

REGRESSION_SEVERITY = Severity.MEDIUM
"""A new finding at this severity or above is a regression."""
_LETTERS = "ABCDF"


class RecordKind(StrEnum):
    SPF = "spf"
    DMARC = "dmarc"
    MTA_STS_ID = "mta-sts-id"
    MTA_STS_POLICY = "mta-sts-policy"
    MX = "mx"
    TLSA = "tlsa"
    CERTIFICATE = "certificate"
    DKIM = "dkim"

    @property
    def label(self) -> str:
        return {
            RecordKind.SPF: "SPF record",
            RecordKind.DMARC: "DMARC record",
            RecordKind.MTA_STS_ID: "MTA-STS policy id",
            RecordKind.MTA_STS_POLICY: "MTA-STS policy",
            RecordKind.MX: "MX records",
            RecordKind.TLSA: "TLSA records",
            RecordKind.CERTIFICATE: "Certificate expiry",
            RecordKind.DKIM: "DKIM key",
        }[self]


@dataclass(frozen=True)
class RecordChange:
    """One published value that differs between the runs."""

    domain: str
    record: RecordKind
    name: str
    """The DNS name, host or URL the value belongs to."""
    before: str | None
    """None: not published (or, for a certificate, not presented)."""
    after: str | None


class DriftRule(StrEnum):
    """Changes a reviewer looks for between two runs: each one can lose mail or protection
    although no single run shows a fault."""

    POLICY_CHANGED_ID_SAME = "policy-changed-id-same"
    MX_CHANGED_POLICY_SAME = "mx-changed-policy-same"
    CERT_EXPIRES_WITHIN_MAX_AGE = "cert-expires-within-max-age"
    DKIM_KEY_REPLACED = "dkim-key-replaced"
    DKIM_KEY_GONE = "dkim-key-gone"

    @property
    def headline(self) -> str:
        return {
            DriftRule.POLICY_CHANGED_ID_SAME: "MTA-STS policy changed but its id did not",
            DriftRule.MX_CHANGED_POLICY_SAME: "MX records changed but the MTA-STS policy did not",
            DriftRule.CERT_EXPIRES_WITHIN_MAX_AGE: (
                "Certificate expires within the policy's max_age"
            ),
            DriftRule.DKIM_KEY_REPLACED: "DKIM key replaced",
            DriftRule.DKIM_KEY_GONE: "DKIM key gone",
        }[self]

    @property
    def why(self) -> str:
        """Why a reviewer cares, in one sentence."""
        return {
            DriftRule.POLICY_CHANGED_ID_SAME: (
                "Senders re-read the policy only when the _mta-sts TXT id changes (RFC 8461 "
                "§3.1), so those that cached the old one keep applying it until it expires."
            ),
            DriftRule.MX_CHANGED_POLICY_SAME: (
                "Senders that apply the policy refuse an MX it does not match (RFC 8461 §4.1); "
                "a line that matched only removed hosts is left over."
            ),
            DriftRule.CERT_EXPIRES_WITHIN_MAX_AGE: (
                "A sender that fetches the enforced policy today applies it until max_age "
                "ends; if the certificate is not renewed before it expires, that sender "
                "refuses the MX (RFC 8461 §4.2, §5)."
            ),
            DriftRule.DKIM_KEY_REPLACED: (
                "Mail signed with the old key, including mail still queued, no longer "
                "verifies; confirm the rotation was planned and the signer uses the new key."
            ),
            DriftRule.DKIM_KEY_GONE: (
                "Mail still signed with this selector fails DKIM, and with it DMARC where "
                "SPF does not align."
            ),
        }[self]


@dataclass(frozen=True)
class Drift:
    rule: DriftRule
    domain: str
    subject: str
    """The host, selector or record the rule fired on."""
    detail: str
    """The facts, in one or two sentences."""


@dataclass(frozen=True)
class SeverityChange:
    """The same finding (domain, code, host) at another severity."""

    before: Finding
    after: Finding

    @property
    def raised(self) -> bool:
        return self.after.severity.rank < self.before.severity.rank


@dataclass(frozen=True)
class GradeChange:
    domain: str
    before: str | None
    """The letter, or None when the domain was not graded (not assessed, not in the run)."""
    after: str | None

    @property
    def lowered(self) -> bool:
        if self.before is None or self.after is None:
            return False
        return _LETTERS.index(self.after) > _LETTERS.index(self.before)


@dataclass(frozen=True)
class RunDiff:
    """What changed from one run of a client (`before`) to a later one (`after`)."""

    before_started: str
    after_started: str
    new: tuple[Finding, ...] = ()
    resolved: tuple[Finding, ...] = ()
    changed: tuple[SeverityChange, ...] = ()
    records: tuple[RecordChange, ...] = ()
    drift: tuple[Drift, ...] = ()
    grades: tuple[GradeChange, ...] = ()
    """Every domain whose letter differs (graded in one run only included)."""

    @property
    def empty(self) -> bool:
        return not (
            self.new or self.resolved or self.changed or self.records or self.drift or self.grades
        )

    def regressions(self) -> tuple[str, ...]:
        """Why this is a regression, one sentence each; empty when it is not one.

        Regressed means: a new finding at medium severity or above that is not inconclusive,
        a finding whose severity was raised, a domain whose grade letter was lowered, or any
        drift rule hit. Resolved findings never offset any of these.
        """
        out = [
            f"New {f.severity.value} finding {f.code} on {f.domain}"
            + (f" ({f.host})" if f.host else "")
            for f in self.new
            if f.severity.rank <= REGRESSION_SEVERITY.rank and not f.inconclusive
        ]
        out += [
            f"{c.after.code} on {c.after.domain} raised from {c.before.severity.value} to "
            f"{c.after.severity.value}"
            for c in self.changed
            if c.raised and not c.after.inconclusive
        ]
        out += [
            f"Grade of {g.domain} lowered from {g.before} to {g.after}"
            for g in self.grades
            if g.lowered
        ]
        out += [f"{d.rule.headline} ({d.domain}: {d.subject})" for d in self.drift]
        return tuple(out)

    @property
    def regressed(self) -> bool:
        return bool(self.regressions())

    def for_domain(self, domain: str) -> RunDiff:
        """The part of the comparison about one domain."""
        return replace(
            self,
            new=tuple(f for f in self.new if f.domain == domain),
            resolved=tuple(f for f in self.resolved if f.domain == domain),
            changed=tuple(c for c in self.changed if c.after.domain == domain),
            records=tuple(r for r in self.records if r.domain == domain),
            drift=tuple(d for d in self.drift if d.domain == domain),
            grades=tuple(g for g in self.grades if g.domain == domain),
        )

    def to_json(self) -> dict[str, JsonValue]:
        """`mailposture diff --json`: findings in the findings.json shape, a changed finding as
        its two versions."""
        return {
            "new": [to_json(f) for f in self.new],
            "resolved": [to_json(f) for f in self.resolved],
            "changed": [
                {"before": to_json(c.before), "after": to_json(c.after)} for c in self.changed
            ],
            "records": [to_json(r) for r in self.records],
            "drift": [{**_as_object(to_json(d)), "headline": d.rule.headline} for d in self.drift],
        }


def _as_object(value: JsonValue) -> dict[str, JsonValue]:
    assert isinstance(value, dict)
    return value
