"""Certificate decoding and offline verification wording (no sockets: trustme certificates)."""

from __future__ import annotations

import datetime
from pathlib import Path

import trustme
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from assessment.gather.certs import describe_certificate, name_matches, verify_chain
from assessment.model import NetworkProfile


def der_chain(cert: trustme.LeafCert) -> list[bytes]:
    return [
        x509.load_pem_x509_certificate(blob.bytes()).public_bytes(Encoding.DER)
        for blob in cert.cert_chain_pems
    ]


def profile_for(ca: trustme.CA, tmp_path: Path) -> NetworkProfile:
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    return NetworkProfile(ca_bundle=str(bundle), use_system_trust=False)


def test_wildcards_match_exactly_one_label() -> None:
    assert name_matches("mx.example.com", ("*.example.com",))
    assert not name_matches("a.b.example.com", ("*.example.com",))
    assert not name_matches("example.com", ("*.example.com",))
    assert not name_matches("xmail.example.com", ("mail.example.com",))
    assert name_matches("MX.Example.com.", ("mx.example.com",))


def test_valid_chain_and_decoded_fields(tmp_path: Path) -> None:
    ca = trustme.CA()
    leaf = ca.issue_cert("mx.example.test")
    chain = der_chain(leaf)
    assert verify_chain(chain, "mx.example.test", profile_for(ca, tmp_path)) == (True, None)
    decoded = describe_certificate(chain[0])
    assert decoded.san_dns == ("mx.example.test",)
    assert decoded.self_signed is False
    assert decoded.key_bits > 0 and decoded.signature_hash == "sha256"
    assert decoded.not_before.endswith("Z") and len(decoded.sha256) == 64


def test_failure_reasons_in_plain_words(tmp_path: Path) -> None:
    ca = trustme.CA()
    chain = der_chain(ca.issue_cert("mx.example.test"))
    profile = profile_for(ca, tmp_path)
    ok, reason = verify_chain(chain, "other.example.test", profile)
    assert not ok and reason is not None and reason.startswith("name mismatch")
    later = datetime.datetime(3001, 1, 1, tzinfo=datetime.UTC)  # past trustme's validity
    ok, reason = verify_chain(chain, "mx.example.test", profile, now=later)
    assert not ok and reason is not None and reason.startswith("expired")
    (tmp_path / "other").mkdir()
    stranger = profile_for(trustme.CA(), tmp_path / "other")
    ok, reason = verify_chain(chain, "mx.example.test", stranger)
    assert not ok and reason is not None and "untrusted issuer" in reason
    assert verify_chain([], "x", profile) == (False, "no certificate was presented")


def test_garbage_certificate_is_recorded_not_raised() -> None:
    decoded = describe_certificate(b"\x30\x03\x02\x01\x00")
    assert decoded.subject.startswith("(unparseable")
    assert len(decoded.sha256) == 64
