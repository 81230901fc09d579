"""The published values of one domain in one run, and which of them changed between runs.

A value is the text as published (sorted where order carries no meaning), None when nothing
is published, or UNKNOWN when the lookup or fetch failed: a timeout is never "removed", so
nothing is compared against an unknown value.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from functools import cached_property

from assessment.checks.certnames import parse_time
from assessment.checks.context import DomainContext
from assessment.diff.model import RecordChange, RecordKind
from assessment.model import Certificate, ConnOutcome, Outcome
from assessment.records.dkim import parse_dkim_key
from assessment.records.mtasts import StsPolicy, parse_sts_policy, parse_sts_txt

CERT_TOLERANCE_DAYS = 1
"""An expiry that moved by a day or less is the same certificate re-issued by the same
automation (and the sandbox issues a fresh one on every start): not a change worth reading."""


class _Unknown(Enum):
    UNKNOWN = "unknown"


UNKNOWN = _Unknown.UNKNOWN
Value = str | None | _Unknown


@dataclass(frozen=True)
class LeafCert:
    """The certificate an MX host presented, and when."""

    host: str
    cert: Certificate
    observed_at: datetime
    expires: datetime


@dataclass(frozen=True)
class DkimValue:
    selector: str
    public_key: str
    """`p=` without whitespace; "" for a revoked key."""
    shown: str


class DomainRecords:
    """One domain's published values in one run."""

    def __init__(self, ctx: DomainContext) -> None:
        self.ctx = ctx
        self.domain = ctx.domain

    def _lookup_state(self, name: str, rdtype: str) -> Outcome | None:
        item = self.ctx.lookup(name, rdtype)
        return item.outcome if item is not None else None

    def _txt(self, name: str, keep: tuple[str, ...]) -> Value:
        state = self._lookup_state(name, "TXT")
        if state is None or state.inconclusive:
            return UNKNOWN
        return " | ".join(sorted(keep)) or None

    @cached_property
    def spf(self) -> Value:
        return self._txt(self.domain, self.ctx.spf_records)

    @cached_property
    def dmarc(self) -> Value:
        return self._txt(f"_dmarc.{self.domain}", self.ctx.dmarc_records)

    @cached_property
    def sts_id(self) -> Value:
        """The `id=` of the one `v=STSv1` record; every record's text when there are several."""
        state = self._lookup_state(f"_mta-sts.{self.domain}", "TXT")
        if state is None or state.inconclusive:
            return UNKNOWN
        records = self.ctx.sts_records
        if len(records) == 1:
            return parse_sts_txt(records[0]).id or records[0]
        return " | ".join(sorted(records)) or None

    @cached_property
    def policy_text(self) -> Value:
        """The policy body as served (line ends and trailing blanks normalised)."""
        fetch = self.ctx.ev.mta_sts_policy
        if fetch is None:
            return None
        if fetch.outcome is ConnOutcome.OK and fetch.status == 200 and fetch.body is not None:
            lines = [line.rstrip() for line in fetch.body.replace("\r\n", "\n").split("\n")]
            return "\n".join(line for line in lines if line)
        if fetch.outcome is ConnOutcome.OK and fetch.status == 404:
            return None
        host_state = self._lookup_state(f"mta-sts.{self.domain}", "A")
        if fetch.outcome is ConnOutcome.DNS_ERROR and host_state is Outcome.NXDOMAIN:
            return None
        return UNKNOWN

    @cached_property
    def policy(self) -> StsPolicy | None:
        text = self.policy_text
        return parse_sts_policy(text) if isinstance(text, str) else None

    @cached_property
    def mx(self) -> Value:
        state = self._lookup_state(self.domain, "MX")
        if state is None or state.inconclusive:
            return UNKNOWN
        entries = sorted(
            f"{e.preference if e.preference is not None else '?'} {e.exchange or '.'}"
            for e in self.ctx.mx_entries
        )
        return ", ".join(entries) or None

    @cached_property
    def mx_hosts(self) -> frozenset[str] | None:
        """The real exchanges; None when the MX lookup failed."""
        if self.mx is UNKNOWN:
            return None
        return frozenset(self.ctx.mx_hosts)

    def tlsa(self, host: str) -> Value:
        name = f"_25._tcp.{host}"
        item = self.ctx.lookup(name, "TLSA")
        if item is None or item.outcome.inconclusive:
            return UNKNOWN
        return " | ".join(sorted(item.answers)) or None

    @cached_property
    def certificates(self) -> dict[str, LeafCert]:
        """The leaf each MX host presented (first address with one)."""
        out: dict[str, LeafCert] = {}
        for probe in self.ctx.ev.smtp:
            if probe.host in out or probe.tls is None or not probe.tls.chain:
                continue
            leaf = probe.tls.chain[0]
            seen, ends = parse_time(probe.observed_at), parse_time(leaf.not_after)
            if seen is not None and ends is not None:
                out[probe.host] = LeafCert(probe.host, leaf, seen, ends)
        return out

    @cached_property
    def dkim(self) -> dict[str, DkimValue | _Unknown | None]:
        """Per probed selector: its key, None when it has none, UNKNOWN when the lookup failed."""
        out: dict[str, DkimValue | _Unknown | None] = {}
        for selector in self.ctx.ev.dkim_selectors:
            item = self.ctx.lookup(f"{selector}._domainkey.{self.domain}", "TXT")
            if item is None or item.outcome.inconclusive:
                out[selector] = UNKNOWN
                continue
            keys = [parse_dkim_key(text) for text in sorted(item.answers) if "p=" in text]
            if not keys:
                out[selector] = None
                continue
            key = keys[0]
            if key.revoked:
                shown = "revoked (empty p=)"
            else:
                digest = hashlib.sha256(key.public_key_b64.encode()).hexdigest()[:16]
                bits = f"{key.key_bits}-bit " if key.key_bits else ""
                shown = f"{bits}{key.key_type_text} key {digest}"
            out[selector] = DkimValue(selector, key.public_key_b64, shown)
        return out


def _policy_key(text: str) -> tuple[str, ...]:
    # Line order carries no meaning in a policy (RFC 8461 §3.2); spacing after the colon none.
    return tuple(sorted(" ".join(line.replace(":", ": ", 1).split()) for line in text.split("\n")))


def same_policy(before: str, after: str) -> bool:
    return _policy_key(before) == _policy_key(after)


def _changes(
    domain: str, kind: RecordKind, name: str, before: Value, after: Value
) -> Iterator[RecordChange]:
    if before is UNKNOWN or after is UNKNOWN or before == after:
        return
    policies = kind is RecordKind.MTA_STS_POLICY and before is not None and after is not None
    if policies and same_policy(str(before), str(after)):
        return
    yield RecordChange(domain, kind, name, before, after)


def record_changes(before: DomainRecords, after: DomainRecords) -> list[RecordChange]:
    """Every published value of the domain that differs, in a fixed order."""
    d = after.domain
    out: list[RecordChange] = []
    for kind, name, old, new in (
        (RecordKind.SPF, d, before.spf, after.spf),
        (RecordKind.DMARC, f"_dmarc.{d}", before.dmarc, after.dmarc),
        (RecordKind.MTA_STS_ID, f"_mta-sts.{d}", before.sts_id, after.sts_id),
        (
            RecordKind.MTA_STS_POLICY,
            f"https://mta-sts.{d}/.well-known/mta-sts.txt",
            before.policy_text,
            after.policy_text,
        ),
        (RecordKind.MX, d, before.mx, after.mx),
    ):
        out += _changes(d, kind, name, old, new)
    kept = sorted((before.mx_hosts or frozenset()) & (after.mx_hosts or frozenset()))
    for host in kept:
        out += _changes(d, RecordKind.TLSA, f"_25._tcp.{host}", before.tlsa(host), after.tlsa(host))
    for host in kept:
        old_cert, new_cert = before.certificates.get(host), after.certificates.get(host)
        if old_cert is None or new_cert is None:
            continue
        if abs((new_cert.expires - old_cert.expires).days) > CERT_TOLERANCE_DAYS:
            out.append(
                RecordChange(
                    d,
                    RecordKind.CERTIFICATE,
                    host,
                    f"expires {old_cert.expires:%Y-%m-%d}",
                    f"expires {new_cert.expires:%Y-%m-%d}",
                )
            )
    for selector, old_key in before.dkim.items():
        if selector not in after.dkim:
            continue
        new_key = after.dkim[selector]
        if old_key is UNKNOWN or new_key is UNKNOWN:
            continue
        if (old_key.public_key if old_key else None) != (new_key.public_key if new_key else None):
            out.append(
                RecordChange(
                    d,
                    RecordKind.DKIM,
                    f"{selector}._domainkey.{d}",
                    old_key.shown if old_key else None,
                    new_key.shown if new_key else None,
                )
            )
    return out
