"""A throwaway certificate authority for the sandbox, and the server contexts it feeds.

Keys are EC (fast to make) and every certificate is issued on first use, so a sandbox only pays
for the hosts its scenario names. Only the trusted CA is ever exported; the second CA behind
"untrusted" certificates stays in memory so no client can trust it by accident.
"""

from __future__ import annotations

import datetime
import ssl
import tempfile
import threading
from pathlib import Path

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from assessment.sandbox.scenario import CertKind, TlsIdentity

_ORG = "mailposture sandbox"


class SandboxCA:
    """Issues leaf certificates of every `CertKind` and builds server SSL contexts from them."""

    def __init__(self) -> None:
        self._trusted = trustme.CA(organization_name=_ORG)
        self._untrusted: trustme.CA | None = None
        self._issuers: dict[str, trustme.CA] = {}
        self._lock = threading.Lock()
        self._contexts: dict[TlsIdentity, ssl.SSLContext] = {}
        self._serial = 0
        self._tempdir = tempfile.TemporaryDirectory(prefix="mailposture-sandbox-")
        self._dir = Path(self._tempdir.name)
        self.bundle_path = self._dir / "sandbox-ca.pem"
        self._trusted.cert_pem.write_to_path(str(self.bundle_path))

    def close(self) -> None:
        self._tempdir.cleanup()

    def context(self, identity: TlsIdentity) -> ssl.SSLContext:
        """A server-side context presenting `identity`, made once and reused."""
        with self._lock:
            ctx = self._contexts.get(identity)
            if ctx is None:
                ctx = self._make_context(identity)
                self._contexts[identity] = ctx
            return ctx

    def new_context(self, identity: TlsIdentity) -> ssl.SSLContext:
        """A fresh, unshared server context (for one that gets its own SNI callback)."""
        with self._lock:
            return self._make_context(identity)

    def _issuer(self, organisation: str) -> trustme.CA:
        """An issuing CA under the trusted root, named like a public one (the report prints
        the issuer). The root stays the only exported certificate, so trust is unchanged."""
        ca = self._issuers.get(organisation)
        if ca is None:
            ca = trustme.CA(
                parent_cert=self._trusted,
                organization_name=organisation,
                organization_unit_name="TLS Issuing CA 1",
            )
            self._issuers[organisation] = ca
        return ca

    def _make_context(self, identity: TlsIdentity) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        names = identity.names
        if identity.kind is CertKind.SELFSIGNED:
            chain_pem, key_pem = _self_signed(names)
            self._serial += 1
            chain_path = self._dir / f"selfsigned-{self._serial}.pem"
            chain_path.write_bytes(chain_pem + key_pem)
            ctx.load_cert_chain(str(chain_path))
            return ctx
        if identity.kind is CertKind.WEAK:
            chain_pem, key_pem = _weak(names, self._trusted)
            self._serial += 1
            chain_path = self._dir / f"weak-{self._serial}.pem"
            chain_path.write_bytes(chain_pem + key_pem)
            # OpenSSL 3 refuses to load a 1024-bit key at its default security level.
            ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
            ctx.load_cert_chain(str(chain_path))
            return ctx
        ca = self._trusted
        not_before: datetime.datetime | None = None
        not_after: datetime.datetime | None = None
        if identity.kind is CertKind.UNTRUSTED:
            if self._untrusted is None:
                self._untrusted = trustme.CA(organization_name=f"{_ORG} (not trusted)")
            ca = self._untrusted
        elif identity.issuer:
            ca = self._issuer(identity.issuer)
        now = datetime.datetime.now(datetime.UTC)
        if identity.kind is CertKind.EXPIRED:
            not_before = now - datetime.timedelta(days=400)
            not_after = now - datetime.timedelta(days=2)
        elif identity.kind is CertKind.EXPIRING:
            not_before = now - datetime.timedelta(days=85)
            not_after = now + datetime.timedelta(days=5, hours=1)
        else:
            # A 90-day certificate a month into its life, like a public CA's: trustme's
            # default (valid until the year 3000) would read oddly in a report.
            not_before = now - datetime.timedelta(days=30)
            not_after = now + datetime.timedelta(days=60)
        if identity.key:
            # A pinned key: the same public key on every run, so a TLSA record can name it.
            chain_pem = _pinned(identity.key, names, ca, not_before, not_after)
            self._serial += 1
            chain_path = self._dir / f"pinned-{self._serial}.pem"
            chain_path.write_bytes(chain_pem + identity.key.encode("ascii"))
            ctx.load_cert_chain(str(chain_path))
            return ctx
        leaf = ca.issue_cert(
            *names, common_name=names[0], not_before=not_before, not_after=not_after
        )
        leaf.configure_cert(ctx)
        return ctx


def _weak(names: tuple[str, ...], ca: trustme.CA) -> tuple[bytes, bytes]:
    """A leaf with the weakness old appliances still serve: an RSA-1024 key.

    (`cryptography` no longer signs with SHA-1, so the SHA-1 case is tested on hand-built
    evidence only.)"""
    ca_key = serialization.load_pem_private_key(ca.private_key_pem.bytes(), password=None)
    ca_cert = x509.load_pem_x509_certificate(ca.cert_pem.bytes())
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 (on purpose)
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=30))
        .not_valid_after(now + datetime.timedelta(days=60))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), False)
        .sign(ca_key, hashes.SHA256())  # type: ignore[arg-type]
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM) + ca.cert_pem.bytes(), key_pem


def _pinned(
    key_pem: str,
    names: tuple[str, ...],
    ca: trustme.CA,
    not_before: datetime.datetime,
    not_after: datetime.datetime,
) -> bytes:
    """Leaf and CA certificate (PEM) for a scenario-given key, with the extensions a public CA
    sets (the verifier in gather/ requires the authority key identifier)."""
    key = serialization.load_pem_private_key(key_pem.encode("ascii"), password=None)
    ca_key = serialization.load_pem_private_key(ca.private_key_pem.bytes(), password=None)
    ca_public = x509.load_pem_x509_certificate(ca.cert_pem.bytes()).public_key()
    ca_subject = x509.load_pem_x509_certificate(ca.cert_pem.bytes()).subject
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) or not isinstance(
        ca_public, ec.EllipticCurvePublicKey | rsa.RSAPublicKey
    ):
        raise ValueError("a pinned sandbox key must be an EC or RSA key")
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca_subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_public), False)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .sign(ca_key, hashes.SHA256())  # type: ignore[arg-type]
    )
    return cert.public_bytes(serialization.Encoding.PEM) + ca.cert_pem.bytes()


def _self_signed(names: tuple[str, ...]) -> tuple[bytes, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=90))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem
