"""Every ordinary user mistake, through the real `mailposture` command in a subprocess: exit
status 2, exactly one line on stderr that names the problem in the user's words, and never a
traceback. Each mistake is caught before any network work, so none of these runs leaves the
machine (no resolver is asked: the refusals come first)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "tlsrpt"
INTERNAL_NAMES = ("tlsrpt_command", "sandbox_command", "handler", "Namespace", "Error:")


def mailposture(args: list[str], data: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "MAILPOSTURE_IMAP_PASSWORD"}
    environment.update({"MAILPOSTURE_DATA": str(data), **env})
    return subprocess.run(
        [sys.executable, "-m", "assessment.cli", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=data.parent,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def workplace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("mistakes")
    (root / "data").mkdir()
    (root / "README.md").write_text("a file, not a run folder\n")
    run = root / "run"
    run.mkdir()
    (run / "report.pdf").write_bytes(b"%PDF-1.7\n")
    (root / "full").mkdir()
    (root / "full" / "notes.txt").write_text("someone else's files\n")
    (root / "scenario").mkdir()
    odd = root / "data" / "clients" / "odd-frameworks"
    odd.mkdir(parents=True)
    (odd / "client.toml").write_text('domains = ["odd.example"]\nframeworks = ["us", "narnia"]\n')
    return root


_LAB = ["assess", "--client", "Acme", "x.example", "--lab", "--nameserver", "127.0.0.1:53"]

# (arguments, words the one line must contain); {w} is the workplace folder.
MISTAKES = [
    (["assess", "--client", "", "x.example"], "--client is empty"),
    (["assess", "--client", "!!!", "x.example"], "no letters or digits"),
    (["assess", "--client", "   ", "x.example"], "--client is empty"),
    (["tlsrpt", "summary", "--client", "!!!"], "no letters or digits"),
    (["tlsrpt", "import", "--client", "", str(FIXTURES)], "--client is empty"),
    (["tlsrpt", "summary", "--client", "Nobody"], "no TLS-RPT store"),
    (["tlsrpt", "summary", "--client", "Acme", "--since", "yesterday"], "not an ISO date"),
    (["assess", "--client", "Acme", "x.example", "--out", "{w}/README.md"], "is a file"),
    (["assess", "--client", "Acme", "x.example", "--out", "{w}/full"], "not empty"),
    (["demo", "--out", "{w}/README.md"], "is a file"),
    (["demo", "--out", "{w}/README.md/run"], "cannot create a folder under"),
    (["demo", "--data", "{w}/README.md"], "is a file, not a folder"),
    (["tlsrpt", "import", "--client", "Acme", "--data", "{w}/README.md", "/tmp"], "cannot open"),
    (["sandbox", "up", "--scenario", "/nonexistent"], "no such folder"),
    (["sandbox", "up", "--scenario", "{w}/scenario"], "scenario.toml"),
    (["assess", "--client", "Acme", "x.example", "--tlsrpt", "/does-not-exist"], "no such file"),
    (
        ["assess", "--client", "Acme", "x.example", "--tlsrpt", "imaps://bob@mail.example/INBOX"],
        "MAILPOSTURE_IMAP_PASSWORD",
    ),
    (
        ["assess", "--client", "Acme", "x.example", "--tlsrpt", "imaps://bob:pw@mail.example/"],
        "not in the URL",
    ),
    (["assess", "--client", "Acme", "x.example", "--tlsrpt", "http://x.example/"], "imaps://"),
    (
        # A lab run contacts loopback addresses only, its mailbox included.
        [*_LAB, "--dmarc", "imaps://bob@mail.example/INBOX"],
        "a lab run connects to loopback addresses only",
    ),
    (
        [*_LAB, "--tlsrpt", "imaps://bob@192.0.2.7/INBOX"],
        "outside 127.0.0.0/8 and ::1",
    ),
    (["assess", "--client", "Acme", "x.example", "--dmarc", "/does-not-exist"], "no such file"),
    (["assess", "--client", "Odd Frameworks"], "frameworks: unknown 'narnia'; known:"),
    (["assess", "--client", "Nobody"], "no domain given"),
    (["assess", "--client", "Acme", "192.0.2.1"], "IP address"),
    (["check", "192.0.2.1"], "IP address"),
    (["check", "2001:db8::1"], "IP address"),
    (["check", "-example.com"], "'-example.com' is not a domain name"),
    (["check", "--example.com"], "not a domain name"),
    (["check", "exa mple.com"], "not a domain name"),
    (["check", "x.example", "--dkim-selector", "bad selector!"], "not a DKIM selector"),
    (["check", "x.example", "--dkim-selector=-s1"], "not a DKIM selector"),
    (["check", "x.example", "--timeout", "-1"], "--timeout must be a positive"),
    (["check", "x.example", "--timeout", "abc"], "--timeout"),
    (["check", "x.example", "--smtp-port", "0"], "not a TCP port"),
    (["check", "x.example", "--nameserver", "resolver.example"], "bad --nameserver"),
    (["check", "x.example", "--nameserver", "127.0.0.1:99999"], "port out of range"),
    (["check", "x.example", "--ca-bundle", "/nonexistent.pem"], "no such file"),
    (["check"], "DOMAIN"),
    (["report", "--run", "{w}/run/report.pdf"], "is a file; give its run folder"),
    (["report", "--run", "/nonexistent-run"], "no such folder"),
    (["report", "--run", "{w}/full"], "not a run folder"),
    (["report"], "--run"),
    (["frobnicate"], "invalid choice"),
    ([], "COMMAND"),
    (["tlsrpt"], "{import,summary}"),
    (["sandbox"], "{up}"),
    (["assess", "x.example"], "--client"),
]


@pytest.mark.parametrize(("argv", "words"), MISTAKES, ids=[" ".join(m[0]) for m in MISTAKES])
def test_mistake_is_one_line_and_exit_2(workplace: Path, argv: list[str], words: str) -> None:
    args = [a.replace("{w}", str(workplace)) for a in argv]
    done = mailposture(args, workplace / "data")
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert words in lines[0], lines[0]
    assert lines[0].startswith("mailposture")
    assert "Traceback" not in done.stderr and not any(n in lines[0] for n in INTERNAL_NAMES)


def test_nothing_is_written_by_a_refused_run(workplace: Path) -> None:
    data = workplace / "data"
    mailposture(["assess", "--client", "Acme", "x.example", "--tlsrpt", "/nope"], data)
    assert not (data / "clients" / "acme" / "runs").exists()


def test_broken_pipe_ends_quietly(workplace: Path) -> None:
    data = workplace / "data"
    imported = mailposture(["tlsrpt", "import", "--client", "Acme", str(FIXTURES)], data)
    assert imported.returncode == 0, imported.stderr
    environment = {**os.environ, "MAILPOSTURE_DATA": str(data)}
    # `... | head -0`: the reader is gone before the command writes anything.
    proc = subprocess.Popen(
        [sys.executable, "-m", "assessment.cli", "tlsrpt", "summary", "--client", "Acme"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
        cwd=workplace,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 141
    assert err == ""


@pytest.mark.parametrize("argv", [["--help"], ["assess", "--help"], ["tlsrpt", "import", "--help"]])
def test_help_is_not_an_error(workplace: Path, argv: list[str]) -> None:
    done = mailposture(argv, workplace / "data")
    assert done.returncode == 0 and done.stderr == ""
    assert "usage: mailposture" in done.stdout


def test_version(workplace: Path) -> None:
    import assessment

    done = mailposture(["--version"], workplace / "data")
    assert done.returncode == 0
    assert done.stdout.strip() == f"mailposture {assessment.__version__}"


def test_every_argument_has_help_and_shows_its_default() -> None:
    import argparse

    from assessment.cli import build_parser

    def leaves(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            return [parser]
        return [leaf for s in subs for child in s.choices.values() for leaf in leaves(child)]

    for leaf in leaves(build_parser()):
        for action in leaf._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            assert action.help, f"{leaf.prog} {action.dest} has no help"
        text = leaf.format_help()
        if "--timeout" in text:
            assert "(default: 5.0)" in text and "(default: 25)" in text


def test_help_imports_none_of_the_heavy_layers() -> None:
    # `mailposture --help` runs in well under 0.3 s because building the parser imports only
    # argparse and a few small modules (bench: farm-bench or hyperfine on `mailposture --help`).
    # A command added later must import its layers inside its handler.
    code = (
        "import sys\n"
        "from assessment.cli import build_parser\n"
        "build_parser().format_help()\n"
        "heavy = ('pandas', 'numpy', 'dns', 'papermill', 'jupyter_client', 'weasyprint',\n"
        "         'cryptography', 'matplotlib', 'assessment.gather', 'assessment.checks')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
