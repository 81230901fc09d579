"""The SMTP STARTTLS probe against the sandbox's SMTP servers."""

from __future__ import annotations

import asyncio
import time

from assessment.gather.smtp import probe_mx
from assessment.model import ConnOutcome, SmtpProbe
from assessment.sandbox import Sandbox


def probe(sandbox: Sandbox, host: str, address: str) -> SmtpProbe:
    return asyncio.run(probe_mx(host, address, sandbox.profile))


def test_valid_server(sandbox: Sandbox) -> None:
    got = probe(sandbox, "mx1.good.test", "127.0.0.11")
    assert got.outcome is ConnOutcome.OK
    assert got.port == sandbox.profile.smtp_port
    assert got.banner is not None and got.banner.startswith("220 ")
    assert any("STARTTLS" in line for line in got.ehlo)
    assert got.ehlo[0].startswith("250")
    assert got.starttls_offered is True
    assert got.starttls_reply is not None and got.starttls_reply.startswith("220")
    assert got.tls is not None and got.tls.verified is True
    assert got.tls.sni == "mx1.good.test"
    assert got.tls.version in ("TLSv1.2", "TLSv1.3")
    assert got.tls.chain and "mx1.good.test" in got.tls.chain[0].san_dns
    assert got.error is None


def test_expired_certificate(sandbox: Sandbox) -> None:
    got = probe(sandbox, "mx.expired.test", "127.0.0.13")
    assert got.outcome is ConnOutcome.OK
    assert got.tls is not None and got.tls.verified is False
    assert got.tls.verify_error is not None and "expired" in got.tls.verify_error


def test_wrong_host_certificate(sandbox: Sandbox) -> None:
    got = probe(sandbox, "mx.wronghost.test", "127.0.0.14")
    assert got.tls is not None and got.tls.verified is False
    assert got.tls.verify_error is not None and "name mismatch" in got.tls.verify_error


def test_untrusted_and_self_signed(sandbox: Sandbox) -> None:
    untrusted = probe(sandbox, "mx.untrusted.test", "127.0.0.15")
    assert untrusted.tls is not None and untrusted.tls.verified is False
    assert untrusted.tls.verify_error is not None and "untrusted" in untrusted.tls.verify_error
    selfsigned = probe(sandbox, "mx.selfsigned.test", "127.0.0.20")
    assert selfsigned.tls is not None and selfsigned.tls.verified is False
    assert len(selfsigned.tls.chain) == 1 and selfsigned.tls.chain[0].self_signed


def test_no_starttls(sandbox: Sandbox) -> None:
    got = probe(sandbox, "mx.nostarttls.test", "127.0.0.16")
    assert got.outcome is ConnOutcome.OK
    assert got.starttls_offered is False
    assert got.tls is None


def test_starttls_refused(sandbox: Sandbox) -> None:
    got = probe(sandbox, "mx.starttls-refused.test", "127.0.0.31")
    assert got.starttls_offered is True
    assert got.starttls_reply is not None and got.starttls_reply.startswith("454")
    assert got.tls is None


def test_handshake_failure(sandbox: Sandbox) -> None:
    got = probe(sandbox, "mx.tlsfail.test", "127.0.0.17")
    assert got.outcome is ConnOutcome.TLS_ERROR
    assert got.tls is not None and got.tls.handshake_error
    assert got.tls.verified is False


def test_bad_banner_and_hangup(sandbox: Sandbox) -> None:
    banner = probe(sandbox, "mx.banner554.test", "127.0.0.32")
    assert banner.outcome is ConnOutcome.PROTOCOL_ERROR
    assert banner.banner is not None and banner.banner.startswith("554")
    hangup = probe(sandbox, "mx.hangup.test", "127.0.0.33")
    assert hangup.outcome in (ConnOutcome.PROTOCOL_ERROR, ConnOutcome.ERROR)
    assert hangup.banner is None


def test_connection_refused(sandbox: Sandbox) -> None:
    got = probe(sandbox, "mx.closed.test", "127.0.0.19")
    assert got.outcome is ConnOutcome.REFUSED
    assert got.error is not None and "refused" in got.error


def test_slow_banner_times_out_within_the_profile(sandbox: Sandbox) -> None:
    started = time.monotonic()
    got = probe(sandbox, "mx.slowsmtp.test", "127.0.0.18")
    elapsed = time.monotonic() - started
    assert got.outcome is ConnOutcome.TIMEOUT
    assert got.error is not None and "then no greeting within 5s" in got.error
    assert got.connect_ms is not None and got.greeting_ms is None
    assert elapsed < sandbox.profile.io_timeout + 1.0


def test_silent_host_is_connected_but_never_greets(sandbox: Sandbox) -> None:
    got = probe(sandbox, "mx.silent.test", "127.0.0.40")
    assert got.outcome is ConnOutcome.TIMEOUT
    assert got.connect_ms is not None and got.connect_ms < 1000
    assert got.greeting_ms is None and got.banner is None
    assert got.error is not None and got.error.startswith("connected in ")


def test_greeting_delay_is_measured(sandbox: Sandbox) -> None:
    slow = probe(sandbox, "mx.greet-slow.test", "127.0.0.41")
    assert slow.outcome is ConnOutcome.OK and slow.starttls_offered is True
    assert slow.greeting_ms is not None and 950 <= slow.greeting_ms < 2500
    quick = probe(sandbox, "mx1.good.test", "127.0.0.11")
    assert quick.greeting_ms is not None and quick.greeting_ms < 500


def test_mx_alias_is_verified_against_the_mx_name(sandbox: Sandbox) -> None:
    # RFC 8461 §4.1: the MX name as listed is what the certificate must match.
    got = probe(sandbox, "mx.cname-mx.test", "127.0.0.11")
    assert got.tls is not None and got.tls.sni == "mx.cname-mx.test"
    assert got.tls.verified is False
    assert got.tls.verify_error is not None and "name mismatch" in got.tls.verify_error
