"""client.toml: what `mailposture assess --client NAME` takes when no domain is given."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from assessment.cli import assessment_inputs
from assessment.errors import ToolError


def _args(
    data: Path, client: str, *domains: str, selectors: tuple[str, ...] = ()
) -> argparse.Namespace:
    return argparse.Namespace(
        data=str(data),
        client=client,
        domains=list(domains),
        dkim_selector=list(selectors),
        tlsrpt=[],
        dmarc=["/mnt/dmarc"],
    )


def _write(data: Path, slug: str, text: str) -> None:
    folder = data / "clients" / slug
    folder.mkdir(parents=True)
    (folder / "client.toml").write_text(text)


def test_domains_and_selectors_come_from_the_client_file(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "acme-dental",
        'name = "Acme Dental"\ndomains = ["Acme-Dental.example", "acme.example."]\n'
        'dkim_selectors = ["s1"]\ntlsrpt_sources = ["/srv/tlsrpt"]\n'
        'dmarc_sources = ["/srv/dmarc", "/mnt/dmarc"]\n',
    )
    client, domains, selectors, sources, dmarc = assessment_inputs(
        _args(tmp_path, "acme dental", selectors=("s0", "s1"))
    )
    assert client == "Acme Dental"
    assert domains == ["acme-dental.example", "acme.example"]
    assert selectors == ["s0", "s1"]
    assert sources == ["/srv/tlsrpt"]
    # The command line's sources come first; one given in both places is read once.
    assert dmarc == ["/mnt/dmarc", "/srv/dmarc"]


def test_domains_on_the_command_line_replace_the_file(tmp_path: Path) -> None:
    _write(tmp_path, "acme", 'domains = ["acme.example"]\n')
    _, domains, _, _, _ = assessment_inputs(_args(tmp_path, "Acme", "other.example"))
    assert domains == ["other.example"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("domains = [", "not valid TOML"),
        ('domains = "acme.example"', "must be a list"),
        ("domains = []", "domains is empty"),
        ('domain = ["acme.example"]', "unknown key"),
        ('name = "Someone Else"\ndomains = ["acme.example"]', "does not match the folder"),
    ],
)
def test_bad_client_files_are_one_line_tool_errors(tmp_path: Path, text: str, message: str) -> None:
    _write(tmp_path, "acme", text)
    with pytest.raises(ToolError, match=message):
        assessment_inputs(_args(tmp_path, "Acme"))


def test_no_domain_and_no_file_is_a_tool_error(tmp_path: Path) -> None:
    with pytest.raises(ToolError, match="no domain given"):
        assessment_inputs(_args(tmp_path, "Nobody"))
