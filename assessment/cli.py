"""The `mailposture` command line.

Exit status: 0 whenever the tool ran, whatever it found; 2 with a one-line reason on stderr
when the tool itself cannot work (bad arguments, unreadable brand file, no such run...).
"""

from __future__ import annotations

import argparse
import ipaddress
import sys
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from assessment.model import Endpoint, Finding, NetworkProfile
from assessment.names import DomainName, DomainNameError
from assessment.run import ToolError
from assessment.workspace import data_dir as _data_dir

EXIT_TOOL_ERROR = 2


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        metavar="DIR",
        default=None,
        help="where client configuration, stores and runs live "
        "(default: $MAILPOSTURE_DATA or the kit's data/)",
    )


def _network(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("network")
    group.add_argument(
        "--nameserver",
        metavar="IP[:PORT]",
        action="append",
        default=[],
        help="resolver to query (repeatable; default: the system resolver)",
    )
    group.add_argument("--ca-bundle", metavar="PEM", help="extra CA certificates to trust")
    group.add_argument(
        "--smtp-port", type=int, default=25, metavar="N", help="port the MX probes use (25)"
    )
    group.add_argument(
        "--https-port",
        type=int,
        default=443,
        metavar="N",
        help="port the MTA-STS policy fetch uses (443)",
    )
    group.add_argument(
        "--timeout", type=float, default=5.0, metavar="S", help="DNS lookup timeout in seconds"
    )
    group.add_argument(
        "--lab",
        action="store_true",
        help="lab run against the loopback sandbox: trust only --ca-bundle, expect loopback",
    )


def _resolver(text: str) -> Endpoint:
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
    names = []
    for text in texts:
        try:
            names.append(DomainName.parse(text).ascii)
        except DomainNameError as exc:
            raise ToolError(str(exc)) from None
    return list(dict.fromkeys(names))


def profile_from_args(args: argparse.Namespace) -> NetworkProfile:
    resolvers = tuple(_resolver(text) for text in args.nameserver)
    if args.ca_bundle and not Path(args.ca_bundle).is_file():
        raise ToolError(f"--ca-bundle {args.ca_bundle}: no such file")
    for flag, port in (("--smtp-port", args.smtp_port), ("--https-port", args.https_port)):
        if not 0 < port < 65536:
            raise ToolError(f"{flag} {port} is not a TCP port")
    if args.timeout <= 0:
        raise ToolError("--timeout must be positive")
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


# ----------------------------------------------------------------------------- commands


def assessment_inputs(
    args: argparse.Namespace,
) -> tuple[str, list[str], list[str], list[str]]:
    """Client, domains, DKIM selectors and TLS-RPT sources: the command line, completed by
    the client's client.toml (domains on the command line replace the file's)."""
    from assessment.clients import ClientConfigError, load_client
    from assessment.workspace import Workspace

    data_dir = _data_dir(args.data)
    try:
        config = load_client(data_dir, args.client)
    except ClientConfigError as exc:
        raise ToolError(str(exc)) from exc
    client = config.name if config else args.client
    domains = list(args.domains) or (list(config.domains) if config else [])
    if not domains:
        raise ToolError(
            f"no domain given, and no {Workspace(data_dir).client(args.client).config} "
            "to take them from"
        )
    selectors = list(
        dict.fromkeys([*args.dkim_selector, *(config.dkim_selectors if config else ())])
    )
    sources = list(dict.fromkeys([*args.tlsrpt, *(config.tlsrpt_sources if config else ())]))
    return client, domain_names(domains), selectors, sources


def cmd_assess(args: argparse.Namespace) -> int:
    from assessment.run import run_assessment

    client, domains, selectors, sources = assessment_inputs(args)
    result = run_assessment(
        client,
        domains,
        profile=profile_from_args(args),
        data_dir=_data_dir(args.data),
        selectors=selectors,
        out_dir=Path(args.out) if args.out else None,
        tlsrpt_sources=sources,
    )
    print(result.run_dir)
    return 0


def _table(findings: Sequence[Finding]) -> str:
    if not findings:
        return "No findings."
    rows = [(f.severity.value, f.domain, f.host or "", f.code, f.title) for f in findings]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    header = ("SEVERITY", "DOMAIN", "HOST", "CODE", "TITLE")
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=False)]
    lines = []
    for row in (header, *rows):
        cells = [row[i].ljust(widths[i]) for i in range(4)]
        lines.append("  ".join([*cells, row[4]]).rstrip())
    return "\n".join(lines)


def cmd_check(args: argparse.Namespace) -> int:
    from assessment.checks import findings_to_json, run_checks
    from assessment.gather import gather

    profile = profile_from_args(args)
    domains = domain_names(args.domains)
    preflight(profile)
    evidence = gather("", domains, profile, args.dkim_selector)
    findings = run_checks(evidence)
    if args.json:
        sys.stdout.write(findings_to_json(findings))
    else:
        print(_table(findings))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from assessment.pipeline import today
    from assessment.run import run_assessment
    from assessment.sandbox import Sandbox, demo_scenario_dir
    from assessment.tlsrpt.demo import generate_demo_reports

    data_dir = _data_dir(args.data)
    with (
        tempfile.TemporaryDirectory(prefix="mailposture-demo-") as tmp,
        Sandbox(demo_scenario_dir()) as sandbox,
    ):
        reports = Path(tmp) / "tlsrpt"
        generate_demo_reports(reports, date.fromisoformat(today()))
        result = run_assessment(
            sandbox.client,
            sandbox.domains,
            profile=sandbox.profile,
            data_dir=data_dir,
            selectors=sandbox.dkim_selectors,
            out_dir=Path(args.out).resolve() if args.out else None,
            tlsrpt_sources=[str(reports)],
        )
    print(result.pdf)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from assessment.run import rerender
    from assessment.workspace import RunFolder

    run = RunFolder(Path(args.run).resolve())
    if not run.path.is_dir():
        raise ToolError(f"--run {args.run}: no such folder")
    rerender(run.path)
    print(run.report)
    return 0


def cmd_sandbox_up(args: argparse.Namespace) -> int:
    from assessment.sandbox import demo_scenario_dir, run_foreground

    scenario = Path(args.scenario).resolve() if args.scenario else demo_scenario_dir()
    run_foreground(scenario, sys.stdout)
    return 0


# ------------------------------------------------------------------------------ parser


_SELECTOR = "DKIM selector the client signs with (repeatable); common ones are always tried"


def build_parser() -> argparse.ArgumentParser:
    from assessment.portfolio.commands import add_portfolio_parsers
    from assessment.tlsrpt.commands import add_tlsrpt_parser

    parser = argparse.ArgumentParser(
        prog="mailposture",
        description="Assess a client's email transport security and write a branded report.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    assess = commands.add_parser("assess", help="full assessment: evidence, findings, PDF")
    assess.add_argument("--client", required=True, help="client name as printed on the report")
    assess.add_argument(
        "domains",
        nargs="*",
        metavar="DOMAIN",
        help="domains to assess (default: those in the client's client.toml)",
    )
    assess.add_argument("--dkim-selector", action="append", default=[], metavar="S", help=_SELECTOR)
    assess.add_argument("--out", metavar="DIR", help="run folder (default: under --data)")
    assess.add_argument(
        "--tlsrpt",
        action="append",
        default=[],
        metavar="SOURCE",
        help="TLS-RPT reports to import first (file, folder, mbox, Maildir, imaps://...)",
    )
    _network(assess)
    _common(assess)
    assess.set_defaults(handler=cmd_assess)

    check = commands.add_parser("check", help="quick look: gather and checks only")
    check.add_argument("domains", nargs="+", metavar="DOMAIN")
    check.add_argument("--dkim-selector", action="append", default=[], metavar="S", help=_SELECTOR)
    check.add_argument("--json", action="store_true", help="print the findings as JSON")
    _network(check)
    _common(check)
    check.set_defaults(handler=cmd_check)

    demo = commands.add_parser("demo", help="assess the demo client against the sandbox")
    demo.add_argument("--out", metavar="DIR", help="run folder (default: under --data)")
    _common(demo)
    demo.set_defaults(handler=cmd_demo)

    report = commands.add_parser("report", help="re-render a past run without network")
    report.add_argument("--run", required=True, metavar="DIR")
    _common(report)
    report.set_defaults(handler=cmd_report)

    sandbox = commands.add_parser("sandbox", help="the loopback sandbox")
    sandbox_commands = sandbox.add_subparsers(dest="sandbox_command", required=True)
    up = sandbox_commands.add_parser("up", help="run the sandbox in the foreground")
    up.add_argument("--scenario", metavar="DIR", help="scenario folder (default: the demo)")
    _common(up)
    up.set_defaults(handler=cmd_sandbox_up)

    add_tlsrpt_parser(commands)
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
            _data_on_every_leaf(child)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.data = _data_dir(getattr(args, "data", None))
    try:
        code: int = args.handler(args)
    except ToolError as exc:
        print(f"mailposture: {exc}", file=sys.stderr)
        return EXIT_TOOL_ERROR
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
