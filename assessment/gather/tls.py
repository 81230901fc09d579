"""One TLS handshake on an open asyncio stream, captured as a `TlsSession`.

The probe context verifies nothing and accepts TLS 1.0 and weak ciphers on purpose: the point
is to *observe* what a server offers and presents, including its mistakes. Trust is decided
afterwards by `certs.verify_chain`, under the profile's trust anchors.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import warnings
from functools import cache

from assessment.gather.certs import describe_certificate, verify_chain
from assessment.model import NetworkProfile, TlsSession


@cache
def probe_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with warnings.catch_warnings():
        # Python deprecates TLS 1.0 as a minimum; we need it to see servers stuck there.
        warnings.simplefilter("ignore", DeprecationWarning)
        with contextlib.suppress(ValueError, ssl.SSLError):
            context.minimum_version = ssl.TLSVersion.TLSv1
    with contextlib.suppress(ssl.SSLError):
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    context.options |= getattr(ssl, "OP_LEGACY_SERVER_CONNECT", 0)
    return context


def peer_chain(obj: ssl.SSLObject) -> list[bytes]:
    """The chain as sent (leaf first), DER; just the leaf where the API to get more is absent."""
    public = getattr(obj, "get_unverified_chain", None)  # Python 3.13+
    if public is not None:
        return [bytes(item) for item in public() or []]
    inner = getattr(obj, "_sslobj", None)
    private = getattr(inner, "get_unverified_chain", None)  # CPython 3.10-3.12, private
    if private is not None:
        encoding = getattr(ssl, "_ssl").ENCODING_DER  # noqa: B009
        try:
            return [bytes(item.public_bytes(encoding)) for item in private() or []]
        except (AttributeError, TypeError, ValueError):
            pass
    leaf = obj.getpeercert(binary_form=True)
    return [leaf] if leaf else []


def session_from(obj: ssl.SSLObject, sni: str, profile: NetworkProfile) -> TlsSession:
    chain = peer_chain(obj)
    verified, error = verify_chain(chain, sni, profile)
    cipher = obj.cipher()
    return TlsSession(
        sni=sni,
        version=obj.version(),
        cipher=cipher[0] if cipher else None,
        chain=tuple(describe_certificate(der) for der in chain),
        verified=verified,
        verify_error=error,
    )


async def upgrade(
    writer: asyncio.StreamWriter, sni: str, profile: NetworkProfile, timeout: float
) -> TlsSession:
    """Run the handshake on `writer`'s connection; failures come back in `handshake_error`."""
    try:
        await asyncio.wait_for(
            writer.start_tls(probe_context(), server_hostname=sni, ssl_handshake_timeout=timeout),
            timeout=timeout + 1.0,
        )
    except TimeoutError:
        return TlsSession(sni=sni, handshake_error=f"no TLS handshake within {timeout:g}s")
    except (ssl.SSLError, ssl.CertificateError, ValueError) as exc:
        return TlsSession(sni=sni, handshake_error=f"{exc.__class__.__name__}: {exc}")
    except (ConnectionError, OSError, EOFError) as exc:
        return TlsSession(sni=sni, handshake_error=f"connection lost during handshake: {exc!r}")
    obj = writer.get_extra_info("ssl_object")
    if not isinstance(obj, ssl.SSLObject):
        return TlsSession(sni=sni, handshake_error="TLS layer not available after handshake")
    return session_from(obj, sni, profile)


async def close_quietly(writer: asyncio.StreamWriter, timeout: float = 2.0) -> None:
    """Close a stream without waiting forever on a peer that never acknowledges."""
    writer.close()
    try:
        await asyncio.wait_for(writer.wait_closed(), timeout=timeout)
    except (TimeoutError, ConnectionError, OSError, ssl.SSLError):
        writer.transport.abort()
