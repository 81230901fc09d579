"""The audit copy of a stored report: its content hash and its compressed bytes."""

from __future__ import annotations

import hashlib
import threading
import zlib
from typing import Final

import zstandard

_ZSTD: Final = threading.local()
_ZSTD_MAGIC: Final = b"\x28\xb5\x2f\xfd"


def content_digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def compress_raw(raw: bytes) -> bytes:
    """The audit copy of a report: one zstd frame (``decompress_raw`` reads it by its magic).

    zstd, not zlib: a reused zstd context compresses a typical 600-byte report in
    ~5 us, where ``zlib.compress`` spent ~20 us setting up its state every call
    (measured on the 2-core VM); the ratio is the same (~0.55).
    """
    compressor = getattr(_ZSTD, "compressor", None)
    if compressor is None:
        # One per thread: a compression context must not be shared between threads.
        compressor = _ZSTD.compressor = zstandard.ZstdCompressor(level=1)
    return compressor.compress(raw)


def decompress_raw(stored: bytes) -> bytes:
    """A stored audit copy back as the report bytes.

    Three forms occur: a zstd frame (``compress_raw``), the original file of a
    single-member gzip input (kept as it came), and zlib (TLS-RPT stores written
    before zstd was used).
    """
    if stored.startswith(_ZSTD_MAGIC):
        return zstandard.ZstdDecompressor().decompress(stored)
    # wbits 47: a zlib or a gzip header, detected.
    return zlib.decompress(stored, 47)
