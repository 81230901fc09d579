"""Whole-domain gathering against the sandbox: coverage, order, round trip, hostile SPF."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from assessment.codec import from_json, to_json
from assessment.gather import gather, gather_domain, load_evidence, save_evidence
from assessment.gather.dns import DnsClient
from assessment.gather.spf_tree import SpfWalker
from assessment.model import ConnOutcome, DnsLookup, DomainEvidence, Outcome
from assessment.providers import DEFAULT_DKIM_SELECTORS
from assessment.sandbox import Sandbox


@pytest.fixture(scope="module")
def good(sandbox: Sandbox) -> DomainEvidence:
    return asyncio.run(gather_domain("good.test", sandbox.profile, ["S1", "custom"]))


def test_good_domain_has_every_expected_lookup(good: DomainEvidence) -> None:
    expected = [
        ("good.test", "TXT"),
        ("good.test", "MX"),
        ("good.test", "A"),
        ("good.test", "AAAA"),
        ("good.test", "DNSKEY"),
        ("_dmarc.good.test", "TXT"),
        ("_dmarc.test", "TXT"),
        ("_mta-sts.good.test", "TXT"),
        ("mta-sts.good.test", "A"),
        ("mta-sts.good.test", "AAAA"),
        ("mta-sts.good.test", "CNAME"),
        ("_smtp._tls.good.test", "TXT"),
        ("_domainkey.good.test", "TXT"),
        ("s1._domainkey.good.test", "TXT"),
        ("custom._domainkey.good.test", "TXT"),
        ("mx1.good.test", "A"),
        ("mx2.good.test", "AAAA"),
        ("mx1.good.test", "CNAME"),
        ("_25._tcp.mx1.good.test", "TLSA"),
        ("_25._tcp.mx2.good.test", "TLSA"),
    ]
    for name, rdtype in expected:
        assert good.lookup(name, rdtype) is not None, (name, rdtype)
    for selector in DEFAULT_DKIM_SELECTORS:
        assert good.lookup(f"{selector}._domainkey.good.test", "TXT") is not None
    assert good.lookup("s1._domainkey.good.test", "TXT").outcome is Outcome.OK  # type: ignore[union-attr]
    assert good.lookup("_domainkey.good.test", "TXT").outcome is Outcome.NODATA  # type: ignore[union-attr]
    assert good.client_selectors == ("s1", "custom")
    assert good.dkim_selectors[:2] == ("s1", "custom")


def test_good_domain_policy_and_probes(good: DomainEvidence) -> None:
    assert good.mta_sts_policy is not None and good.mta_sts_policy.status == 200
    assert [(p.host, p.address) for p in good.smtp] == [
        ("mx1.good.test", "127.0.0.11"),
        ("mx2.good.test", "127.0.0.12"),
    ]
    assert all(p.tls is not None and p.tls.verified for p in good.smtp)


def test_lookups_are_unique_and_sorted(good: DomainEvidence) -> None:
    keys = [item.key for item in good.dns]
    assert keys == sorted(keys)
    assert len(keys) == len(set(keys))


def test_evidence_round_trips_through_json(good: DomainEvidence, tmp_path: Path) -> None:
    assert from_json(DomainEvidence, to_json(good)) == good


def test_two_gathers_list_everything_in_the_same_order(
    sandbox: Sandbox, good: DomainEvidence
) -> None:
    again = asyncio.run(gather_domain("good.test", sandbox.profile, ["s1", "custom"]))
    assert [item.key for item in again.dns] == [item.key for item in good.dns]
    assert [(p.host, p.address) for p in again.smtp] == [(p.host, p.address) for p in good.smtp]


def test_null_mx_is_not_probed(sandbox: Sandbox) -> None:
    found = asyncio.run(gather_domain("nullmx.test", sandbox.profile))
    assert found.lookup("nullmx.test", "MX").answers == ("0 .",)  # type: ignore[union-attr]
    assert found.smtp == ()


def test_aliased_mx_gets_both_tlsa_names(sandbox: Sandbox) -> None:
    found = asyncio.run(gather_domain("cname-mx.test", sandbox.profile))
    address = found.lookup("mx.cname-mx.test", "A")
    assert address is not None and address.cname_chain == ("mx.cname-mx.test", "mx1.good.test")
    assert found.lookup("_25._tcp.mx.cname-mx.test", "TLSA") is not None
    assert found.lookup("_25._tcp.mx1.good.test", "TLSA") is not None
    assert [p.host for p in found.smtp] == ["mx.cname-mx.test"]


def test_nonexistent_domain_skips_the_policy_fetch(sandbox: Sandbox) -> None:
    found = asyncio.run(gather_domain("nope.good.test", sandbox.profile))
    assert found.lookup("nope.good.test", "TXT").outcome is Outcome.NXDOMAIN  # type: ignore[union-attr]
    assert found.mta_sts_policy is None
    assert found.smtp == ()


def test_unreachable_dns_is_recorded_as_timeouts(sandbox: Sandbox) -> None:
    found = asyncio.run(gather_domain("dns-timeout.test", sandbox.profile))
    assert found.lookup("dns-timeout.test", "MX").outcome is Outcome.TIMEOUT  # type: ignore[union-attr]
    assert found.mta_sts_policy is not None
    assert found.mta_sts_policy.outcome is ConnOutcome.DNS_ERROR


def test_spf_walk_follows_terms_and_stops_on_loops(sandbox: Sandbox) -> None:
    record = (
        "v=spf1 include:_spf.wildcard.test a:nodata.good.test mx:good.test "
        "exists:%{i}.macro.test redirect=good.test -all"
    )
    apex = DnsLookup(name="spf.example", rdtype="TXT", outcome=Outcome.OK, answers=(record,))

    async def run() -> DnsClient:
        client = DnsClient(sandbox.profile)
        await asyncio.wait_for(SpfWalker(client).walk("spf.example", apex), timeout=30)
        client.close()
        return client

    client = asyncio.run(run())
    asked = {item.key for item in client.lookups()}
    # The wildcard answers `include:_spf.wildcard.test` for itself: visited once, no loop.
    assert ("_spf.wildcard.test", "TXT") in asked
    assert ("nodata.good.test", "A") in asked and ("nodata.good.test", "AAAA") in asked
    assert ("good.test", "MX") in asked
    assert ("mx1.good.test", "A") in asked and ("mx2.good.test", "AAAA") in asked
    assert ("good.test", "TXT") in asked  # redirect target
    assert not any("macro" in name for name, _ in asked)


def test_spf_walk_has_a_hard_cap(sandbox: Sandbox) -> None:
    includes = " ".join(f"include:n{i}.good.test" for i in range(80))
    apex = DnsLookup(
        name="spf.example", rdtype="TXT", outcome=Outcome.OK, answers=(f"v=spf1 {includes} -all",)
    )

    async def run() -> DnsClient:
        client = DnsClient(sandbox.profile)
        await SpfWalker(client, cap=50).walk("spf.example", apex)
        client.close()
        return client

    assert len(asyncio.run(run()).lookups()) == 50


def test_save_and_load_a_gathered_snapshot(sandbox: Sandbox, tmp_path: Path) -> None:
    evidence = gather("Good Ltd", ["good.test"], sandbox.profile, ["s1"])
    path = tmp_path / "out" / "evidence.json"
    save_evidence(evidence, path)
    assert load_evidence(path) == evidence
    assert evidence.network == sandbox.profile.describe()
    assert evidence.started_at <= evidence.finished_at
    assert list(path.parent.iterdir()) == [path]  # no temp file left behind


def test_whole_scenario(sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    zones = Path(__file__).parents[1] / "fixtures" / "sandbox" / "scenario" / "zones"
    domains = sorted(p.name.removesuffix(".zone") for p in zones.glob("*.zone"))
    started = time.monotonic()
    evidence = gather("scenario", domains, sandbox.profile)
    elapsed = time.monotonic() - started
    with capsys.disabled():
        print(f"\ngather of {len(domains)} scenario domains took {elapsed:.1f}s")
    assert [d.domain for d in evidence.domains] == domains
    slow = evidence.domain("slowsmtp.test").smtp[0]
    assert slow.outcome is ConnOutcome.TIMEOUT
    assert elapsed < 60


def test_domains_of_a_run_share_questions_and_probes(sandbox: Sandbox) -> None:
    # partial-timeout.test has good.test's MX hosts: one probe each serves both domains.
    evidence = gather("shared", ["good.test", "partial-timeout.test"], sandbox.profile, ["s1"])
    good, partial = evidence.domain("good.test"), evidence.domain("partial-timeout.test")
    assert [(p.host, p.address) for p in partial.smtp] == [(p.host, p.address) for p in good.smtp]
    assert partial.smtp == good.smtp  # the same observation, timestamps and all
    shared = good.lookup("mx1.good.test", "A")
    assert shared is not None and partial.lookup("mx1.good.test", "A") == shared
    # Each domain's evidence still lists only what it asked.
    assert partial.lookup("_mta-sts.good.test", "TXT") is None


def test_a_stalled_include_does_not_hold_up_its_siblings(sandbox: Sandbox) -> None:
    # include:dns-timeout.test never answers; the other include is followed at once.
    record = "v=spf1 include:sub.dns-timeout.test include:_spf.wildcard.test a:good.test -all"
    apex = DnsLookup(name="spf.example", rdtype="TXT", outcome=Outcome.OK, answers=(record,))

    async def run() -> tuple[list[DnsLookup], float]:
        client = DnsClient(sandbox.profile)
        walk = asyncio.ensure_future(SpfWalker(client).walk("spf.example", apex))
        started = time.monotonic()
        while not client.asked("_spf.wildcard.test", "TXT") or not any(
            item.key == ("_spf.wildcard.test", "TXT") for item in client.lookups()
        ):
            await asyncio.sleep(0.01)
        sibling_done = time.monotonic() - started
        await walk
        client.close()
        return list(client.lookups()), sibling_done

    found, sibling_done = asyncio.run(run())
    stalled = next(item for item in found if item.name == "sub.dns-timeout.test")
    assert stalled.outcome is Outcome.TIMEOUT
    # The sibling branch finished long before the stalled one gave up.
    assert sibling_done < sandbox.profile.dns_timeout / 2


def test_each_domain_is_reported_as_it_completes(sandbox: Sandbox) -> None:
    done: list[str] = []
    evidence = gather(
        "progress",
        ["good.test", "nullmx.test"],
        sandbox.profile,
        on_domain=lambda d: done.append(d.domain),
    )
    assert sorted(done) == ["good.test", "nullmx.test"]
    assert [d.domain for d in evidence.domains] == ["good.test", "nullmx.test"]
