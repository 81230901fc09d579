"""The only way WeasyPrint may load anything: local files under a few allowed folders.

Report text comes from DNS, HTTP and SMTP, i.e. from whoever controls the audited domain (or
an attacker in the path). It is escaped, so it should never become markup; this fetcher is the
second wall in case it ever does. A remote fetch during rendering would leak the consultant's
address and the engagement to a third party, and a local fetch outside our folders could pull
arbitrary files into a document that leaves the building. So: `file:` URLs only, resolved
(symlinks and `..` included) and required to sit inside an allowed root; everything else,
`data:` included, is refused. Our own charts are inlined as sanitised SVG, not fetched.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

_MIME_OVERRIDES = {
    ".svg": "image/svg+xml",
    ".css": "text/css",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
}


class FetchRefused(PermissionError):
    """A URL the report renderer will not load."""


class LocalOnlyFetcher(URLFetcher):  # type: ignore[misc]  # weasyprint ships no type hints
    """A WeasyPrint URL fetcher confined to `roots`."""

    def __init__(self, roots: Iterable[Path]) -> None:
        super().__init__(allowed_protocols=("file",), allow_redirects=False)
        self.roots = tuple(dict.fromkeys(Path(r).resolve() for r in roots))
        self.refused: list[str] = []

    def resolve(self, url: str) -> Path:
        """The local file `url` names, if it is allowed. Raises `FetchRefused` otherwise."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "file":
            raise self._refuse(url, f"scheme {parts.scheme or '(none)'!r} is not allowed")
        if parts.netloc not in ("", "localhost"):
            raise self._refuse(url, "file URLs on another host are not allowed")
        # file: URLs carry a POSIX path; urllib.request is avoided (network layer only).
        raw = unquote(parts.path)
        if ".." in Path(raw).parts:
            raise self._refuse(url, "'..' in the path")
        try:
            path = Path(raw).resolve(strict=True)
        except (OSError, RuntimeError):
            raise self._refuse(url, "no such file") from None
        if not any(path.is_relative_to(root) for root in self.roots):
            raise self._refuse(url, "outside the report's asset folders")
        if not path.is_file():
            raise self._refuse(url, "not a regular file")
        return path

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        path = self.resolve(url)
        mime = _MIME_OVERRIDES.get(path.suffix.lower()) or (
            mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        )
        return URLFetcherResponse(
            url=path.as_uri(), body=path.read_bytes(), headers={"Content-Type": mime}
        )

    def _refuse(self, url: str, reason: str) -> FetchRefused:
        self.refused.append(url)
        return FetchRefused(f"refused to load {url[:200]!r}: {reason}")
