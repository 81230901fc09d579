"""Read-only views over one domain's evidence, computed once and shared by every check."""

from __future__ import annotations

from functools import cached_property

from assessment.model import DnsLookup, DomainEvidence, Evidence, Outcome, SmtpProbe
from assessment.records.dmarc import DmarcRecord, is_dmarc_record, parse_dmarc
from assessment.records.mtasts import StsPolicy, is_sts_record, parse_sts_policy, parse_sts_txt
from assessment.records.mx import MxEntry, exchanges_by_preference, parse_mx_answer
from assessment.records.spf import is_spf_record


def _name(text: str) -> str:
    return text.strip().lower().rstrip(".")


ABSENT = (Outcome.NXDOMAIN, Outcome.NODATA)


class SnapshotFacts:
    """What several domains' checks read from the whole snapshot, computed once per snapshot.

    Computed per domain these were quadratic: 500 domains spent 2 of their 2.8 s of checks
    asking whether any answer of the snapshot carried AD.
    """

    def __init__(self, snapshot: Evidence | None) -> None:
        self.snapshot = snapshot

    @cached_property
    def any_authenticated(self) -> bool:
        """Some answer of the snapshot has AD: the resolver validates DNSSEC."""
        if self.snapshot is None:
            return False
        return any(item.ad for domain in self.snapshot.domains for item in domain.dns)

    @cached_property
    def greetings(self) -> tuple[SmtpProbe, ...]:
        """One probe per MX (host, address) of the snapshot that got a greeting."""
        if self.snapshot is None:
            return ()
        seen: dict[tuple[str, str], SmtpProbe] = {}
        for domain in self.snapshot.domains:
            for probe in domain.smtp:
                if probe.greeting_ms is not None:
                    seen.setdefault((probe.host, probe.address), probe)
        return tuple(seen.values())


class DomainContext:
    """One audited domain's evidence with the derived values the checks share."""

    def __init__(
        self,
        evidence: DomainEvidence,
        snapshot: Evidence | None = None,
        facts: SnapshotFacts | None = None,
    ) -> None:
        self.ev = evidence
        self.snapshot = snapshot
        self.facts = facts if facts is not None else SnapshotFacts(snapshot)
        self.domain = evidence.domain
        self._index = {(item.name, item.rdtype): item for item in evidence.dns}

    def lookup(self, name: str, rdtype: str) -> DnsLookup | None:
        return self._index.get((_name(name), rdtype))

    def txt(self, name: str) -> tuple[str, ...]:
        item = self.lookup(name, "TXT")
        if item is None or item.outcome is not Outcome.OK:
            return ()
        # Sorted: RRset order is arbitrary and must not change which record a check picks.
        return tuple(sorted(item.answers))

    @property
    def observed_at(self) -> str:
        times = [item.observed_at for item in self.ev.dns if item.observed_at]
        return min(times) if times else ""

    # ------------------------------------------------------------------ existence, MX

    @cached_property
    def domain_missing(self) -> bool:
        """The domain itself is NXDOMAIN (every apex lookup says so)."""
        apex = [self.lookup(self.domain, t) for t in ("MX", "TXT", "A")]
        seen = [item for item in apex if item is not None]
        return bool(seen) and all(item.outcome is Outcome.NXDOMAIN for item in seen)

    @cached_property
    def mx_lookup(self) -> DnsLookup | None:
        return self.lookup(self.domain, "MX")

    @cached_property
    def mx_entries(self) -> tuple[MxEntry, ...]:
        item = self.mx_lookup
        if item is None or item.outcome is not Outcome.OK:
            return ()
        return tuple(parse_mx_answer(answer) for answer in item.answers)

    @cached_property
    def null_mx(self) -> bool:
        return any(entry.exchange == "" for entry in self.mx_entries)

    @cached_property
    def mx_hosts(self) -> tuple[str, ...]:
        """Real exchanges, by preference then name, without duplicates."""
        item = self.mx_lookup
        if item is None or item.outcome is not Outcome.OK:
            return ()
        return tuple(name for name in exchanges_by_preference(item.answers) if name)

    @cached_property
    def has_address(self) -> bool:
        return any(
            (item := self.lookup(self.domain, rdtype)) is not None and item.outcome is Outcome.OK
            for rdtype in ("A", "AAAA")
        )

    @cached_property
    def address_inconclusive(self) -> DnsLookup | None:
        """The apex A/AAAA lookup that failed, when no address was found otherwise."""
        if self.has_address:
            return None
        for rdtype in ("A", "AAAA"):
            item = self.lookup(self.domain, rdtype)
            if item is not None and item.outcome.inconclusive:
                return item
        return None

    @cached_property
    def receives_mail(self) -> bool:
        """False for a null MX, or no MX and no address (nowhere to deliver).

        When a lookup that would decide it failed, the domain is assumed to receive mail:
        a timeout must never make a domain look parked.
        """
        if self.null_mx and not self.mx_hosts:
            return False
        if self.mx_hosts:
            return True
        item = self.mx_lookup
        if item is not None and item.outcome.inconclusive:
            return True
        return self.has_address or self.address_inconclusive is not None

    @cached_property
    def no_mail_reason(self) -> str:
        if self.null_mx:
            return "it publishes a null MX"
        return "it has no MX record and no address"

    # ------------------------------------------------------------------------ records

    @cached_property
    def spf_records(self) -> tuple[str, ...]:
        return tuple(t for t in self.txt(self.domain) if is_spf_record(t))

    @cached_property
    def dmarc_lookup(self) -> DnsLookup | None:
        return self.lookup(f"_dmarc.{self.domain}", "TXT")

    @cached_property
    def dmarc_records(self) -> tuple[str, ...]:
        return tuple(t for t in self.txt(f"_dmarc.{self.domain}") if is_dmarc_record(t))

    @cached_property
    def dmarc(self) -> DmarcRecord | None:
        """The domain's own DMARC record, when exactly one exists."""
        if len(self.dmarc_records) != 1:
            return None
        return parse_dmarc(self.dmarc_records[0])

    @cached_property
    def sts_records(self) -> tuple[str, ...]:
        return tuple(t for t in self.txt(f"_mta-sts.{self.domain}") if is_sts_record(t))

    @cached_property
    def policy(self) -> StsPolicy | None:
        """The fetched MTA-STS policy, parsed, when the fetch returned a usable 200 body."""
        fetch = self.ev.mta_sts_policy
        if fetch is None or fetch.status != 200 or fetch.body is None or fetch.body_truncated:
            return None
        return parse_sts_policy(fetch.body)

    @cached_property
    def sts_usable(self) -> bool:
        """Senders apply the policy: exactly one valid TXT record and a policy without errors
        (RFC 8461 §3.1, §3.2); anything less and they treat the domain as having none."""
        return (
            len(self.sts_records) == 1
            and parse_sts_txt(self.sts_records[0]).valid
            and self.policy is not None
            and self.policy.valid
        )

    @cached_property
    def tlsrpt_records(self) -> tuple[str, ...]:
        from assessment.records.tlsrpt import is_tlsrpt_record

        return tuple(t for t in self.txt(f"_smtp._tls.{self.domain}") if is_tlsrpt_record(t))

    @cached_property
    def dane_hosts(self) -> frozenset[str]:
        """MX hosts DANE senders will authenticate: a DNSSEC-validated (AD) TLSA RRset with a
        usable DANE-TA(2) or DANE-EE(3) record (RFC 7672 §2.2, §3.1)."""
        hosts = set()
        for host in self.mx_hosts:
            item = self.lookup(f"_25._tcp.{host}", "TLSA")
            if item is None or item.outcome is not Outcome.OK or not item.ad:
                continue
            if any(answer.split()[:1] in (["2"], ["3"]) for answer in item.answers):
                hosts.add(host)
        return frozenset(hosts)

    @cached_property
    def bogus_lookups(self) -> tuple[DnsLookup, ...]:
        """Lookups at or under the domain that a validating resolver withheld as bogus."""
        suffix = "." + self.domain
        return tuple(
            item
            for item in self.ev.dns
            if item.bogus and (item.name == self.domain or item.name.endswith(suffix))
        )

    @cached_property
    def tlsa_hosts(self) -> tuple[str, ...]:
        """MX hosts with TLSA records at `_25._tcp.<host>`."""
        out = []
        for host in self.mx_hosts:
            item = self.lookup(f"_25._tcp.{host}", "TLSA")
            if item is not None and item.outcome is Outcome.OK and item.answers:
                out.append(host)
        return tuple(out)
