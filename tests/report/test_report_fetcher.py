from __future__ import annotations

import os
from pathlib import Path

import pytest

from assessment.report.fetcher import FetchRefused, LocalOnlyFetcher
from assessment.report.locations import TEMPLATES_DIR


@pytest.fixture
def fetcher(tmp_path: Path) -> LocalOnlyFetcher:
    brand = tmp_path / "brand"
    brand.mkdir()
    (brand / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "secret.txt").write_text("do not leak")
    return LocalOnlyFetcher((TEMPLATES_DIR, brand))


def test_serves_allowed_files(fetcher: LocalOnlyFetcher, tmp_path: Path) -> None:
    response = fetcher.fetch((TEMPLATES_DIR / "report.css").as_uri())
    assert response.content_type == "text/css"
    assert b"@page" in response.read()
    logo = fetcher.fetch((tmp_path / "brand" / "logo.svg").as_uri())
    assert logo.content_type == "image/svg+xml"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/canary.png",
        "https://example.com/x.css",
        "ftp://example.com/x",
        "data:text/css,body{}",
        "file://otherhost/etc/passwd",
        "file:///etc/passwd",
        "//example.com/x.css",
        "javascript:alert(1)",
    ],
)
def test_refuses_other_schemes_and_places(fetcher: LocalOnlyFetcher, url: str) -> None:
    with pytest.raises(FetchRefused):
        fetcher.fetch(url)


def test_refuses_dotdot_escape(fetcher: LocalOnlyFetcher, tmp_path: Path) -> None:
    escape = (tmp_path / "brand").as_uri() + "/../secret.txt"
    with pytest.raises(FetchRefused, match=r"'\.\.'"):
        fetcher.fetch(escape)
    encoded = (tmp_path / "brand").as_uri() + "/%2e%2e/secret.txt"
    with pytest.raises(FetchRefused):
        fetcher.fetch(encoded)
    assert fetcher.refused  # refusals are recorded for diagnostics


def test_refuses_symlink_out_of_root(fetcher: LocalOnlyFetcher, tmp_path: Path) -> None:
    link = tmp_path / "brand" / "innocent.svg"
    os.symlink(tmp_path / "secret.txt", link)
    with pytest.raises(FetchRefused, match="outside"):
        fetcher.fetch(link.as_uri())


def test_refuses_directories(fetcher: LocalOnlyFetcher) -> None:
    with pytest.raises(FetchRefused):
        fetcher.fetch(TEMPLATES_DIR.as_uri())
