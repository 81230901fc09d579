"""The `mailposture` command line.

Exit status: 0 when the command did its work; 1 when it did, but something the user gave it
yielded nothing or was partly rejected (a report source; see each command's --help); 2 with
a one-line reason on stderr when it cannot work (a mistake in the arguments, an unreadable
brand file, no such run...). No user mistake ends in a traceback.

Only argparse is imported before a command runs: `mailposture --help` must stay fast (the
kit's layers take ~0.7 s to import). Each handler imports what it needs.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from assessment.errors import ToolError

if TYPE_CHECKING:
    from assessment.model import DomainEvidence, Finding, NetworkProfile
    from assessment.run import RunResult

EXIT_PARTIAL = 1
EXIT_TOOL_ERROR = 2
# What a C tool killed by SIGPIPE reports: `mailposture ... | head` ends quietly.
EXIT_BROKEN_PIPE = 128 + 13

_DATA_HELP = (
    "where client settings, stores and runs live "
    "(default: $MAILPOSTURE_DATA, else the per-user data folder, "
    "~/.local/share/mailposture on Linux)"
)
_SELECTOR_HELP = (
    "a DKIM selector the client signs with, the s= tag of a DKIM-Signature header "
    "(repeatable; the common provider selectors are always tried too)"
)
# RFC 6376 §3.1: selector = sub-domain *( "." sub-domain ); underscores are seen in the wild.
_SELECTOR_LABEL = re.compile(r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)")


class Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line on stderr (with where to get help), exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_TOOL_ERROR, f"{self.prog}: {message} (see {self.prog} --help)\n")


class HelpFormatter(argparse.HelpFormatter):
    """Shows the default after each help text, where there is one worth showing."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if (
            "%(default)" in text
            or "default:" in text
            or default in (None, False, [], argparse.SUPPRESS)
            or not action.option_strings
        ):
            return text
        return f"{text} (default: %(default)s)"


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", metavar="DIR", default=None, help=_DATA_HELP)


def _network(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("network")
    group.add_argument(
        "--nameserver",
        metavar="IP[:PORT]",
        action="append",
        default=[],
        help="resolver to query instead of the system's (repeatable; default: the system "
        "resolver); use a DNSSEC-validating one for DNSSEC and DANE verdicts",
    )
    group.add_argument(
        "--ca-bundle", metavar="PEM", help="extra CA certificates to trust (a PEM file)"
    )
    group.add_argument(
        "--smtp-port", type=int, default=25, metavar="N", help="port the MX probes connect to"
    )
    group.add_argument(
        "--https-port",
        type=int,
        default=443,
        metavar="N",
        help="port the MTA-STS policy fetch connects to",
    )
    group.add_argument(
        "--timeout", type=float, default=5.0, metavar="S", help="DNS lookup timeout in seconds"
    )
    group.add_argument(
        "--lab",
        action="store_true",
        help="lab run against the loopback sandbox: trust only --ca-bundle, expect loopback "
        "addresses (`mailposture sandbox up` prints the flags)",
    )


# ----------------------------------------------------------------------- argument checks


def _resolver(text: str) -> Any:
    import ipaddress

    from assessment.model import Endpoint

    try:
        endpoint = Endpoint.parse(text)
        ipaddress.ip_address(endpoint.host)
    except ValueError:
        raise ToolError(f"bad --nameserver {text!r}: expected IP or IP:PORT") from None
    if not 0 < endpoint.port < 65536:
        raise ToolError(f"bad --nameserver {text!r}: port out of range")
    return endpoint


def domain_names(texts: Sequence[str]) -> list[str]:
    """Domains as given, normalised; a one-line ToolError for anything that is not one."""
    from assessment.names import DomainName, DomainNameError

    names = []
    for text in texts:
        try:
            names.append(DomainName.parse(text).ascii)
        except DomainNameError as exc:
            raise ToolError(str(exc)) from None
    return list(dict.fromkeys(names))


def selectors(texts: Sequence[str]) -> list[str]:
    """DKIM selectors as given; a selector is one or more DNS labels (RFC 6376 §3.1)."""
    for text in texts:
        labels = text.split(".")
        if not text or len(text) > 200 or not all(_SELECTOR_LABEL.fullmatch(x) for x in labels):
            raise ToolError(
                f"{text!r} is not a DKIM selector: letters, digits, '-' and '_' in "
                "dot-separated labels, such as selector1 or s2048.k1"
            )
    return list(dict.fromkeys(texts))


def client_name(text: str) -> str:
    """The client's name as given; refused when it cannot name a folder."""
    from assessment.workspace import WorkspaceError, client_slug

    if not text.strip():
        raise ToolError("--client is empty: give the client's name, e.g. --client 'Acme Dental'")
    try:
        client_slug(text)
    except WorkspaceError:
        raise ToolError(
            f"--client {text!r} has no letters or digits to name the client's folder"
        ) from None
    return text.strip()


def profile_from_args(args: argparse.Namespace) -> NetworkProfile:
    from assessment.model import NetworkProfile

    resolvers = tuple(_resolver(text) for text in args.nameserver)
    if args.ca_bundle and not Path(args.ca_bundle).is_file():
        raise ToolError(f"--ca-bundle {args.ca_bundle}: no such file")
    for flag, port in (("--smtp-port", args.smtp_port), ("--https-port", args.https_port)):
        if not 0 < port < 65536:
            raise ToolError(f"{flag} {port} is not a TCP port")
    if not args.timeout > 0:
        raise ToolError("--timeout must be a positive number of seconds")
    return NetworkProfile(
        resolvers=resolvers,
        dns_timeout=args.timeout,
        connect_timeout=max(args.timeout, 3.0) * 2,
        io_timeout=max(args.timeout, 3.0) * 4,
        ca_bundle=str(Path(args.ca_bundle).resolve()) if args.ca_bundle else None,
        smtp_port=args.smtp_port,
        https_port=args.https_port,
        use_system_trust=not args.lab,
        lab=args.lab,
    )


def preflight(profile: NetworkProfile) -> None:
    """Refuse to assess when no resolver answers: every finding would be 'inconclusive'."""
    from assessment.gather import ResolverUnavailable, check_resolvers

    try:
        check_resolvers(profile)
    except ResolverUnavailable as exc:
        raise ToolError(f"DNS does not work from here: {exc}") from exc


def _data_dir(args: argparse.Namespace) -> Path:
    from assessment.workspace import data_dir

    folder = data_dir(getattr(args, "data", None))
    if folder.exists() and not folder.is_dir():
        raise ToolError(
            f"the data folder {folder} is a file, not a folder (--data or MAILPOSTURE_DATA)"
        )
    return folder


# ----------------------------------------------------------------------------- commands


def assessment_inputs(
    args: argparse.Namespace,
) -> tuple[str, list[str], list[str], list[str], list[str]]:
    """Client, domains, DKIM selectors, TLS-RPT and DMARC sources: the command line,
    completed by the client's client.toml (domains on the command line replace the file's,
    selectors and sources add to it)."""
    from assessment.clients import ClientConfigError, load_client
    from assessment.workspace import Workspace

    name = client_name(args.client)
    data_dir = _data_dir(args)
    try:
        config = load_client(data_dir, name)
    except ClientConfigError as exc:
        raise ToolError(str(exc)) from exc
    client = config.name if config else name
    domains = list(args.domains) or (list(config.domains) if config else [])
    if not domains:
        raise ToolError(
            f"no domain given, and no {Workspace(data_dir).client(name).config} to take them from"
        )
    chosen = selectors([*args.dkim_selector, *(config.dkim_selectors if config else ())])
    tlsrpt = list(dict.fromkeys([*args.tlsrpt, *(config.tlsrpt_sources if config else ())]))
    dmarc = list(dict.fromkeys([*args.dmarc, *(config.dmarc_sources if config else ())]))
    return client, domain_names(domains), chosen, tlsrpt, dmarc


def _report_sources(result: RunResult) -> int:
    """Say on stderr what each report source yielded; 1 when one failed or had rejections."""
    from assessment.tlsrpt.commands import source_line

    kinds = {"tlsrpt": "TLS-RPT", "dmarc": "DMARC"}
    for outcome in result.sources:
        label = kinds.get(outcome.kind, outcome.kind)
        print(f"mailposture: {label} {source_line(outcome)}", file=sys.stderr)
    if any(o.failed or o.rejected for o in result.sources):
        return EXIT_PARTIAL
    return 0


def cmd_assess(args: argparse.Namespace) -> int:
    from assessment.progress import ProgressDisplay
    from assessment.run import run_assessment, run_steps

    client, domains, chosen, tlsrpt, dmarc = assessment_inputs(args)
    profile = profile_from_args(args)
    steps = len(run_steps(bool(tlsrpt), bool(dmarc)))
    with ProgressDisplay(f"Assessing {client}", steps) as progress:
        result = run_assessment(
            client,
            domains,
            profile=profile,
            data_dir=_data_dir(args),
            selectors=chosen,
            out_dir=Path(args.out) if args.out else None,
            tlsrpt_sources=tlsrpt,
            dmarc_sources=dmarc,
            progress=progress,
        )
    print(result.run_dir)
    return _report_sources(result)


def _where(finding: Finding) -> str:
    """The host, or the record the finding is about when it is not the domain itself (a
    DKIM selector, `_dmarc`, `_mta-sts`...): two DKIM_KEY_OK rows say which key each is."""
    if finding.host:
        return finding.host
    for line in finding.evidence[:1]:
        parts = line.split(" ", 2)
        if len(parts) >= 2 and parts[1].endswith("." + finding.domain):
            return parts[1].removesuffix("." + finding.domain)
    return ""


def _table(findings: Sequence[Finding]) -> str:
    if not findings:
        return "No findings."
    header = ("SEVERITY", "DOMAIN", "HOST/RECORD", "CODE", "TITLE")
    rows = [(f.severity.value, f.domain, _where(f), f.code, f.title) for f in findings]
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(4)]
    lines = []
    for row in (header, *rows):
        cells = [row[i].ljust(widths[i]) for i in range(4)]
        lines.append("  ".join([*cells, row[4]]).rstrip())
    return "\n".join(lines)


def cmd_check(args: argparse.Namespace) -> int:
    domains = domain_names(args.domains)
    chosen = selectors(args.dkim_selector)
    profile = profile_from_args(args)
    from assessment.checks import findings_to_json, run_checks
    from assessment.gather import gather
    from assessment.progress import Phase, ProgressDisplay, ProgressEvent

    preflight(profile)
    title = f"Checking {len(domains)} domain{'s' if len(domains) != 1 else ''}"
    with ProgressDisplay(title, len(domains)) as progress:

        def done(found: DomainEvidence) -> None:
            # Every domain starts at once; each reports when its evidence is complete.
            note = f"{len(found.dns)} lookups, {len(found.smtp)} MX probes"
            progress(ProgressEvent(found.domain, Phase.DONE, note))

        evidence = gather("", domains, profile, chosen, on_domain=done)
    findings = run_checks(evidence)
    if args.json:
        sys.stdout.write(findings_to_json(findings))
    else:
        print(_table(findings))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    import tempfile
    from datetime import UTC, datetime

    from assessment.dmarc.demo import generate_demo_reports as generate_dmarc
    from assessment.progress import ProgressDisplay
    from assessment.run import run_assessment, run_steps
    from assessment.sandbox import Sandbox, demo_scenario_dir
    from assessment.tlsrpt.demo import generate_demo_reports

    data_dir = _data_dir(args)
    with (
        tempfile.TemporaryDirectory(prefix="mailposture-demo-") as tmp,
        Sandbox(demo_scenario_dir()) as sandbox,
    ):
        today = datetime.now(UTC).date()
        reports = Path(tmp) / "tlsrpt"
        generate_demo_reports(reports, today)
        aggregates = Path(tmp) / "dmarc"
        generate_dmarc(aggregates, today)
        steps = len(run_steps(tlsrpt=True, dmarc=True))
        with ProgressDisplay(f"Demo: assessing {sandbox.client}", steps) as progress:
            result = run_assessment(
                sandbox.client,
                sandbox.domains,
                profile=sandbox.profile,
                data_dir=data_dir,
                selectors=sandbox.dkim_selectors,
                out_dir=Path(args.out) if args.out else None,
                tlsrpt_sources=[str(reports)],
                dmarc_sources=[str(aggregates)],
                country=sandbox.clients[0].country or None,
                progress=progress,
            )
    print(result.pdf)
    print(
        f"mailposture demo: run folder {result.run_dir} (data folder {data_dir}; "
        "--data or MAILPOSTURE_DATA to write elsewhere)",
        file=sys.stderr,
    )
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from assessment.run import rerender
    from assessment.workspace import RunFolder

    given = Path(args.run).expanduser()
    run = RunFolder(given.resolve())
    if run.path.is_file():
        raise ToolError(f"--run {args.run} is a file; give its run folder, {given.parent}")
    if not run.path.is_dir():
        raise ToolError(f"--run {args.run}: no such folder")
    rerender(run.path)
    print(run.report)
    return 0


def cmd_sandbox_up(args: argparse.Namespace) -> int:
    from assessment.sandbox import ScenarioError, demo_scenario_dir, run_foreground

    scenario = Path(args.scenario).expanduser().resolve() if args.scenario else None
    if scenario is not None and not scenario.is_dir():
        raise ToolError(f"--scenario {args.scenario}: no such folder")
    try:
        run_foreground(scenario or demo_scenario_dir(), sys.stdout)
    except ScenarioError as exc:
        raise ToolError(f"scenario: {exc}") from None
    return 0


# ------------------------------------------------------------------------------ parser


def _version() -> str:
    from assessment import __version__

    return f"mailposture {__version__}"


def build_parser() -> argparse.ArgumentParser:
    from assessment.dmarc.commands import add_dmarc_parser
    from assessment.portfolio.commands import add_portfolio_parsers
    from assessment.report.brand_init import add_brand_parser
    from assessment.tlsrpt.commands import add_tlsrpt_parser

    parser = Parser(
        prog="mailposture",
        description="Assess a client's email transport security and write a branded report.",
        formatter_class=HelpFormatter,
        epilog="Every command takes --data DIR. Run `mailposture COMMAND --help` for its "
        "arguments. Exit status: 0 done; 1 done, but a report source failed or had items "
        "rejected; 2 cannot work (a one-line reason on stderr).",
    )
    parser.add_argument("--version", action="version", version=_version())
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, **kwargs: Any) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = commands.add_parser(
            name, formatter_class=HelpFormatter, **kwargs
        )
        return sub

    assess = command(
        "assess",
        help="full assessment: evidence, findings, TLS-RPT analysis, branded PDF",
        description="Gather what DNS, the MTA-STS policy host and each MX say, run the checks, "
        "import TLS-RPT reports, and write the PDF into a new run folder.",
        epilog="Prints the run folder. Exit status: 0 done; 1 done, but a TLS-RPT source gave "
        "nothing or had items rejected (said on stderr, and in the report); 2 cannot work.",
    )
    assess.add_argument(
        "--client",
        required=True,
        help="client name as printed on the report; it also names the client's folder",
    )
    assess.add_argument(
        "domains",
        nargs="*",
        metavar="DOMAIN",
        help="domains to assess (default: those in the client's client.toml)",
    )
    assess.add_argument(
        "--dkim-selector", action="append", default=[], metavar="S", help=_SELECTOR_HELP
    )
    assess.add_argument(
        "--out",
        metavar="DIR",
        help="run folder, new or empty (default: a new folder under the client's runs/)",
    )
    assess.add_argument(
        "--tlsrpt",
        action="append",
        default=[],
        metavar="SOURCE",
        help="TLS-RPT reports to import first (repeatable): a file, a folder, an mbox file, a "
        "Maildir, or imaps://user@host[:port]/FOLDER with the password in "
        "$MAILPOSTURE_IMAP_PASSWORD",
    )
    assess.add_argument(
        "--dmarc",
        action="append",
        default=[],
        metavar="SOURCE",
        help="DMARC aggregate reports to import first (repeatable), in the same forms as "
        "--tlsrpt; the report then says who sends mail as the client and when p=reject is safe",
    )
    _network(assess)
    _common(assess)
    assess.set_defaults(handler=cmd_assess)

    check = command(
        "check",
        help="quick look: gather and checks only, no report",
        description="Gather and run the checks for some domains; print a table or JSON.",
    )
    check.add_argument("domains", nargs="+", metavar="DOMAIN", help="domains to check")
    check.add_argument(
        "--dkim-selector", action="append", default=[], metavar="S", help=_SELECTOR_HELP
    )
    check.add_argument(
        "--json", action="store_true", help="print the findings as a JSON array (for scripts)"
    )
    _network(check)
    _common(check)
    check.set_defaults(handler=cmd_check)

    demo = command(
        "demo",
        help="assess the demo client against the loopback sandbox (offline)",
        description="The whole path of a real run, offline, against the built-in sandbox: "
        "a fictional dental practice, 30 days of TLS-RPT reports, a branded PDF.",
        epilog="Prints the PDF's path; says on stderr where the run folder is.",
    )
    demo.add_argument(
        "--out",
        metavar="DIR",
        help="run folder, new or empty (default: a new folder under the demo client's runs/)",
    )
    _common(demo)
    demo.set_defaults(handler=cmd_demo)

    report = command(
        "report",
        help="re-render a past run's PDF, without network",
        description="Re-render the report of a run folder from its saved evidence and the "
        "client's TLS-RPT store.",
    )
    report.add_argument(
        "--run",
        required=True,
        metavar="DIR",
        help="the run folder (holds evidence.json and run.json)",
    )
    _common(report)
    report.set_defaults(handler=cmd_report)

    sandbox = command(
        "sandbox",
        help="the loopback sandbox (DNS, HTTPS, SMTP for fictional domains)",
        description="The loopback sandbox the demo and the tests use.",
    )
    sandbox_commands = sandbox.add_subparsers(dest="sandbox_command", required=True, metavar="{up}")
    up = sandbox_commands.add_parser(
        "up",
        help="run the sandbox in the foreground and print the flags that reach it",
        formatter_class=HelpFormatter,
    )
    up.add_argument(
        "--scenario",
        metavar="DIR",
        help="scenario folder with scenario.toml and zones/ (default: the demo's)",
    )
    _common(up)
    up.set_defaults(handler=cmd_sandbox_up)

    add_tlsrpt_parser(commands)
    add_dmarc_parser(commands)
    add_brand_parser(commands)
    add_portfolio_parsers(commands, _network, profile_from_args)
    _data_on_every_leaf(parser)
    return parser


def _data_on_every_leaf(parser: argparse.ArgumentParser) -> None:
    """Every command takes --data, including ones registered by other modules."""
    subcommands = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subcommands:
        if not any(a.dest == "data" for a in parser._actions):
            _common(parser)
        return
    for group in subcommands:
        for child in group.choices.values():
            child.formatter_class = HelpFormatter
            _data_on_every_leaf(child)


def _dash_domain(argv: Sequence[str]) -> None:
    """`check -example.com`: argparse would take it for an option and say DOMAIN is missing;
    say what is wrong with it instead."""
    for token in argv:
        if token.startswith("-") and "." in token and "=" not in token:
            try:
                float(token)  # a negative number, e.g. --timeout -1.5
            except ValueError:
                domain_names([token])


def _quiet_broken_pipe() -> int:
    # Python flushes stdout again at exit; point it at /dev/null so that flush is silent too.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return EXIT_BROKEN_PIPE


def _fail(message: object) -> int:
    text = " ".join(str(message).split())  # always one line
    print(f"mailposture: {text}", file=sys.stderr)
    return EXIT_TOOL_ERROR


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        _dash_domain(arguments)
        parser = build_parser()
        args = parser.parse_args(arguments)
        code: int = args.handler(args)
    except SystemExit as exc:  # argparse: --help, --version, or a one-line usage error
        return exc.code if isinstance(exc.code, int) else EXIT_TOOL_ERROR
    except ToolError as exc:
        return _fail(exc)
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        # The machine said no (a folder that cannot be created, a full disk...): one line.
        where = f": {exc.filename}" if exc.filename else ""
        return _fail(f"{exc.strerror or exc}{where}")
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        return _quiet_broken_pipe()
    return code


if __name__ == "__main__":
    sys.exit(main())
