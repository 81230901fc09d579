"""docs/architecture.md layering: only gather/ and sandbox/ open sockets; records/ and checks/
are pure; and data flows one way, gather -> evidence -> records/checks ->
planning/readiness/gates -> report."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "assessment"
NETWORK_MODULES = {
    "socket",
    "ssl",
    "smtplib",
    "imaplib",
    "poplib",
    "ftplib",
    "http.client",
    "http.server",
    "socketserver",
    "urllib.request",
    "httpx",
    "requests",
    "asyncio.streams",
    "dns.resolver",
    "dns.asyncresolver",
    "dns.query",
    "dns.asyncquery",
    "dns.nameserver",
}
# Calls that open connections without importing a network module by name.
NETWORK_CALLS = {
    "open_connection",
    "start_server",
    "create_connection",
    "create_datagram_endpoint",
    "start_tls",
    "urlopen",
}
# File and process I/O that the pure layers must not do either.
IO_CALLS = {
    "open",
    "read_text",
    "read_bytes",
    "write_text",
    "write_bytes",
    "mkdir",
    "unlink",
    "system",
    "run",
    "Popen",
}
ALLOWED = ("gather", "sandbox")
PURE = ("records", "checks")

# Modules every layer may use: values, names, the JSON codec, paths, provider facts.
BASE = frozenset(
    {
        "model",
        "names",
        "codec",
        "workspace",
        "providers",
        "recommended",
        "gc_pause",
        "clients",
        "resources",
        "parameters",
        "progress",
        "typed_frames",
        # How the kit starts a helper process of its own (parse workers, the PDF helper).
        "spawn",
        # The one-line error every command reports (ToolError).
        "errors",
    }
)
_ANALYSIS = frozenset({"records", "checks", "tlsrpt", "dmarc"})
# Which layers each layer may import, besides itself and BASE. A layer is the first path part
# under assessment/ (a package, or a module without its .py).
MAY_IMPORT: dict[str, frozenset[str]] = {
    **{name: frozenset() for name in BASE},
    "records": frozenset(),
    "checks": frozenset({"records"}),
    "gather": frozenset({"records", "intake"}),
    "intake": frozenset({"gather"}),
    "sandbox": frozenset({"records"}),
    "tlsrpt": frozenset({"records", "gather", "intake"}),
    "dmarc": frozenset({"records", "gather", "tlsrpt", "intake"}),
    "posture": frozenset({"records", "checks"}),
    # Two runs compared: reads run folders (gather's snapshot loader), grades them (posture).
    "diff": frozenset({"records", "checks", "posture", "gather"}),
    "planning": _ANALYSIS | {"posture"},
    "readiness": _ANALYSIS | {"planning", "posture"},
    "report": _ANALYSIS | {"planning", "readiness", "posture", "diff"},
    # One run read back from its folder, and the Jupyter kernel the runner starts.
    "runs": _ANALYSIS | {"gather"},
    "kernel": frozenset(),
    "tables": _ANALYSIS | {"gather", "runs"},
    # Notebook exploration: filters over the analysis frames, every client's latest run.
    "explore": _ANALYSIS | {"gather", "runs", "posture"},
    "pipeline": _ANALYSIS
    | {"gather", "planning", "readiness", "report", "tables", "runs", "posture", "diff"},
    "portfolio": _ANALYSIS
    | {"gather", "planning", "readiness", "report", "pipeline", "run", "posture", "diff"},
    "run": _ANALYSIS
    | {"gather", "planning", "readiness", "report", "pipeline", "sandbox", "kernel", "runs"}
    | {"posture"},
    "cli": frozenset({"*"}),
    "__init__": frozenset({"*"}),
    "__main__": frozenset({"*"}),
}
# Known exceptions, each with its reason (none today: the IMAP reader in gather/ and the report
# importers share the report-file extraction of intake/, which reads IMAP through gather/).
EXCEPTIONS: frozenset[tuple[str, str]] = frozenset()


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _calls(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                names.add(func.attr)
            elif isinstance(func, ast.Name):
                names.add(func.id)
    return names


def _modules() -> list[tuple[str, Path]]:
    return [(path.relative_to(PACKAGE).parts[0], path) for path in sorted(PACKAGE.rglob("*.py"))]


def test_only_gather_and_sandbox_import_network_modules() -> None:
    offenders = []
    for layer, path in _modules():
        if layer in ALLOWED:
            continue
        used = {name for name in _imports(path) if name in NETWORK_MODULES}
        if used:
            offenders.append(f"{path.relative_to(PACKAGE)}: {sorted(used)}")
    assert offenders == []


def test_only_gather_and_sandbox_make_connection_calls() -> None:
    offenders = []
    for layer, path in _modules():
        if layer in ALLOWED:
            continue
        used = _calls(path) & NETWORK_CALLS
        if used:
            offenders.append(f"{path.relative_to(PACKAGE)}: {sorted(used)}")
    assert offenders == []


def test_pure_layers_do_no_file_or_process_io() -> None:
    offenders = []
    for layer, path in _modules():
        if layer in PURE:
            used = _calls(path) & IO_CALLS
            if used:
                offenders.append(f"{path.relative_to(PACKAGE)}: {sorted(used)}")
    assert offenders == []


def test_pure_layers_import_neither_gather_nor_sandbox_nor_dnspython() -> None:
    offenders = []
    for layer, path in _modules():
        if layer not in PURE:
            continue
        for name in _imports(path):
            if name.startswith(("assessment.gather", "assessment.sandbox", "dns")):
                offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offenders == []


def _layer_violations(layer: str, imported: set[str]) -> list[str]:
    allowed = MAY_IMPORT[layer]
    bad = []
    for name in sorted(imported):
        parts = name.split(".")
        if parts[0] != "assessment" or len(parts) < 2:
            continue
        target = parts[1]
        if target == layer or target in BASE or "*" in allowed or target in allowed:
            continue
        if any(name.startswith(module) for lay, module in EXCEPTIONS if lay == layer):
            continue
        bad.append(name)
    return bad


def test_every_layer_is_known() -> None:
    unknown = {layer.removesuffix(".py") for layer, _ in _modules()} - set(MAY_IMPORT)
    assert unknown == set(), "add the new layer to MAY_IMPORT with the layers it may use"


def test_layers_import_only_in_the_allowed_directions() -> None:
    offenders = []
    for layer, path in _modules():
        name = layer.removesuffix(".py")
        offenders += [
            f"{path.relative_to(PACKAGE)} imports {bad}"
            for bad in _layer_violations(name, _imports(path))
        ]
    assert offenders == []


def test_the_direction_guard_sees_a_violation() -> None:
    # A check that imported the report, or records that imported checks, would be caught.
    assert _layer_violations("checks", {"assessment.report.view"}) == ["assessment.report.view"]
    assert _layer_violations("records", {"assessment.checks.spf"}) == ["assessment.checks.spf"]
    assert _layer_violations("planning", {"assessment.report.sections"}) != []
    assert _layer_violations("report", {"assessment.planning.plan", "assessment.model"}) == []


def test_the_guard_sees_a_violation(tmp_path: Path) -> None:
    # The scan must not pass vacuously: a module importing socket is caught.
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import socket\nfrom dns import resolver\n"
        "async def f(p):\n    await asyncio.open_connection('x', 1)\n    p.write_text('x')\n"
    )
    assert "socket" in _imports(bad)
    assert "dns.resolver" in _imports(bad)
    assert {"open_connection", "write_text"} <= _calls(bad)
