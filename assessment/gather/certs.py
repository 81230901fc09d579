"""Decoding presented certificates and verifying them against the profile's trust, offline.

Verification is separate from the handshake: the handshake never verifies (so the chain is
always captured, even when it is bad), and `verify_chain` then decides with
`cryptography.x509.verification`, which also names what went wrong.
"""

from __future__ import annotations

import contextlib
import ssl
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    Policy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from assessment.model import Certificate, NetworkProfile
from assessment.records.hostnames import wildcard_matches

_PEM_END = b"-----END CERTIFICATE-----"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _pem_blocks(data: bytes) -> list[x509.Certificate]:
    """Every certificate in a PEM bundle that parses; one odd root must not void the store."""
    certs: list[x509.Certificate] = []
    for chunk in data.split(_PEM_END):
        if b"-----BEGIN CERTIFICATE-----" not in chunk:
            continue
        try:
            certs.append(x509.load_pem_x509_certificate(chunk + _PEM_END + b"\n"))
        except ValueError:
            continue
    return certs


@cache
def _system_roots() -> tuple[x509.Certificate, ...]:
    # Reading and parsing ~150 roots costs tens of milliseconds: do it once per process.
    paths = ssl.get_default_verify_paths()
    for candidate in (paths.cafile, paths.openssl_cafile):
        if candidate and Path(candidate).is_file():
            return tuple(_pem_blocks(Path(candidate).read_bytes()))
    roots: list[x509.Certificate] = []
    for folder in (paths.capath, paths.openssl_capath):
        if folder and Path(folder).is_dir():
            for item in sorted(Path(folder).iterdir()):
                if item.is_file():
                    try:
                        roots.extend(_pem_blocks(item.read_bytes()))
                    except OSError:
                        continue
            break
    return tuple(roots)


@cache
def _bundle_roots(path: str, mtime_ns: int, size: int) -> tuple[x509.Certificate, ...]:
    # Keyed by modification time and size too, so a rewritten bundle is read again.
    return tuple(_pem_blocks(Path(path).read_bytes()))


def trust_roots(profile: NetworkProfile) -> tuple[x509.Certificate, ...]:
    roots: list[x509.Certificate] = []
    if profile.ca_bundle:
        with contextlib.suppress(OSError):
            stat = Path(profile.ca_bundle).stat()
            roots.extend(_bundle_roots(profile.ca_bundle, stat.st_mtime_ns, stat.st_size))
    if profile.use_system_trust:
        roots.extend(_system_roots())
    return tuple(roots)


def _key_description(cert: x509.Certificate) -> tuple[str, int, str, str]:
    """Key type, bits, and SHA-256/SHA-512 of the DER SubjectPublicKeyInfo."""
    try:
        key = cert.public_key()
    except (ValueError, UnsupportedAlgorithm):
        return "unknown", 0, "", ""
    spki = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    sha256 = hashes.Hash(hashes.SHA256())
    sha256.update(spki)
    sha512 = hashes.Hash(hashes.SHA512())
    sha512.update(spki)
    if isinstance(key, rsa.RSAPublicKey):
        kind, bits = "RSA", key.key_size
    elif isinstance(key, ec.EllipticCurvePublicKey):
        kind, bits = f"EC {key.curve.name}", key.curve.key_size
    elif isinstance(key, ed25519.Ed25519PublicKey):
        kind, bits = "Ed25519", 256
    elif isinstance(key, ed448.Ed448PublicKey):
        kind, bits = "Ed448", 456
    elif isinstance(key, dsa.DSAPublicKey):
        kind, bits = "DSA", key.key_size
    else:
        kind, bits = type(key).__name__, 0
    return kind, bits, sha256.finalize().hex(), sha512.finalize().hex()


def san_dns_names(cert: x509.Certificate) -> tuple[str, ...]:
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except (x509.ExtensionNotFound, ValueError):
        return ()
    return tuple(ext.value.get_values_for_type(x509.DNSName))


def _self_signed(cert: x509.Certificate) -> bool:
    if cert.issuer != cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        # A same-name issuer whose signature does not check is a different key: not self-signed.
        return False
    return True


def describe_certificate(der: bytes) -> Certificate:
    """Decode one DER certificate; a certificate that will not parse is still recorded."""
    pem = ssl.DER_cert_to_PEM_cert(der)
    digest = hashes.Hash(hashes.SHA256())
    digest.update(der)
    fingerprint = digest.finalize().hex()
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError as exc:
        return Certificate(
            subject=f"(unparseable certificate: {exc})",
            issuer="",
            san_dns=(),
            not_before="",
            not_after="",
            serial="",
            sha256=fingerprint,
            spki_sha256="",
            spki_sha512="",
            key_type="unknown",
            key_bits=0,
            signature_hash="",
            self_signed=False,
            pem=pem,
        )
    kind, bits, spki256, spki512 = _key_description(cert)
    try:
        sig = cert.signature_hash_algorithm
        signature_hash = sig.name if sig is not None else "none"
    except UnsupportedAlgorithm:
        signature_hash = cert.signature_algorithm_oid.dotted_string
    return Certificate(
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        san_dns=san_dns_names(cert),
        not_before=_iso(cert.not_valid_before_utc),
        not_after=_iso(cert.not_valid_after_utc),
        serial=format(cert.serial_number, "x"),
        sha256=fingerprint,
        spki_sha256=spki256,
        spki_sha512=spki512,
        key_type=kind,
        key_bits=bits,
        signature_hash=signature_hash,
        self_signed=_self_signed(cert),
        pem=pem,
    )


def name_matches(name: str, patterns: tuple[str, ...]) -> bool:
    """RFC 6125 DNS-ID matching: a `*` is a whole left-most label standing for exactly one."""
    return any(wildcard_matches(pattern, name) for pattern in patterns)


@cache
def _leaf_policy() -> ExtensionPolicy:
    # CA/B forbids a critical SAN next to a non-empty subject, but OpenSSL- and Go-based MTAs
    # accept it; judging by the stricter rule would report failures no sender experiences.
    return (
        ExtensionPolicy.webpki_defaults_ee()
        .require_present(x509.SubjectAlternativeName, Criticality.AGNOSTIC, None)
        .may_be_present(x509.ExtendedKeyUsage, Criticality.AGNOSTIC, _server_auth_usage)
    )


def _server_auth_usage(
    policy: Policy, cert: x509.Certificate, usage: x509.ExtendedKeyUsage | None
) -> None:
    """Like OpenSSL: no EKU allows any use; a present EKU must allow TLS server auth."""
    if usage is None:
        return
    allowed = {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE}
    if not allowed.intersection(usage):
        raise ValueError("extended key usage does not allow TLS server authentication")


def _verify(
    leaf: x509.Certificate,
    intermediates: list[x509.Certificate],
    roots: tuple[x509.Certificate, ...],
    name: str,
    moment: datetime,
) -> str | None:
    """None when the chain is valid for `name` at `moment`, else the library's reason."""
    try:
        verifier = (
            PolicyBuilder()
            .store(Store(list(roots)))
            .time(moment)
            .extension_policies(
                ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=_leaf_policy()
            )
            .build_server_verifier(x509.DNSName(name))
        )
        verifier.verify(leaf, intermediates)
    except VerificationError as exc:
        return str(exc)
    except (ValueError, TypeError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def verify_chain(
    chain_der: list[bytes], name: str, profile: NetworkProfile, now: datetime | None = None
) -> tuple[bool, str | None]:
    """(verified, plain-words reason) for a server chain, leaf first, presented for `name`."""
    if not chain_der:
        return False, "no certificate was presented"
    now = now or datetime.now(UTC)
    try:
        certs = [x509.load_der_x509_certificate(der) for der in chain_der]
    except ValueError as exc:
        return False, f"certificate could not be parsed: {exc}"
    roots = trust_roots(profile)
    if not roots:
        return False, "untrusted issuer: no trust anchors are configured in the profile"
    leaf, intermediates = certs[0], certs[1:]
    error = _verify(leaf, intermediates, roots, name, now)
    if error is None:
        return True, None

    reasons: list[str] = []
    if now > leaf.not_valid_after_utc:
        reasons.append(f"expired on {_iso(leaf.not_valid_after_utc)}")
    elif now < leaf.not_valid_before_utc:
        reasons.append(f"not yet valid until {_iso(leaf.not_valid_before_utc)}")
    sans = san_dns_names(leaf)
    if not name_matches(name, sans):
        listed = ", ".join(sans) or "no DNS names"
        reasons.append(f"name mismatch: certificate is for {listed}, not {name}")
    # Re-check trust with time and name taken out, so the remaining cause can be named.
    inside = leaf.not_valid_before_utc + (leaf.not_valid_after_utc - leaf.not_valid_before_utc) / 2
    own = next((s for s in sans if not s.startswith("*.")), None)
    if own is None and sans:
        own = "probe" + sans[0][1:]
    trust_error = _verify(leaf, intermediates, roots, own, inside) if own else error
    if trust_error is not None:
        if _self_signed(leaf):
            reasons.append("self-signed certificate, not issued by a trusted authority")
        else:
            reasons.append("untrusted issuer: the chain does not lead to a trusted root")
    elif not reasons:
        # No cause of our own to name: the verifier's, without its dump of the certificate
        # object ("(encountered processing <Certificate(...)>)"), which reads as a crash.
        return False, f"rejected by the verifier: {_plain(error)}"
    return False, "; ".join(reasons)


def _plain(error: str) -> str:
    return error.split(" (encountered processing", 1)[0].strip() or "no reason given"
