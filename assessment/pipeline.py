"""The steps the notebooks call, one per notebook, so notebooks stay thin.

Each step reads and writes the run folder, whose layout is fixed here:

    <run>/evidence.json   what was observed (the audit trail)
    <run>/findings.json   the verdicts, a JSON array of finding objects
    <run>/run.json        client, domains, assessment date, data folder
    <run>/report.pdf      the deliverable
    <run>/artifacts/      generated MTA-STS policy and DNS records
    <run>/*.ipynb         the executed notebooks, kept as a record
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from assessment.checks import findings_from_json, findings_to_json, run_checks
from assessment.codec import JsonValue, from_json, to_json
from assessment.model import Evidence, Finding, NetworkProfile
from assessment.tlsrpt.store import client_slug, store_path

EVIDENCE_FILE = "evidence.json"
FINDINGS_FILE = "findings.json"
RUN_FILE = "run.json"
REPORT_FILE = "report.pdf"


@dataclass(frozen=True)
class RunInfo:
    """What a run folder is about; enough to re-render it later without the command line."""

    client: str
    domains: tuple[str, ...]
    assessed_on: str
    """ISO date the assessment (and so the rollout plan) is dated from."""
    data_dir: str
    """Where the client's TLS-RPT store lives."""

    @property
    def slug(self) -> str:
        return client_slug(self.client)


def profile_from_json(data: Mapping[str, JsonValue] | None) -> NetworkProfile:
    """The notebook parameter `network` (a JSON object) as a `NetworkProfile`; {} = defaults."""
    return from_json(NetworkProfile, dict(data or {}))


def profile_to_json(profile: NetworkProfile) -> JsonValue:
    return to_json(profile)


def save_findings(findings: Sequence[Finding], path: Path) -> None:
    path.write_text(findings_to_json(findings), encoding="utf-8")


def load_findings(path: Path) -> tuple[Finding, ...]:
    try:
        return findings_from_json(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from exc


def write_run_info(run_dir: Path, info: RunInfo) -> None:
    run_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(to_json(info), indent=2) + "\n"
    (run_dir / RUN_FILE).write_text(text, encoding="utf-8")


def read_run_info(run_dir: Path) -> RunInfo:
    return from_json(RunInfo, json.loads((run_dir / RUN_FILE).read_text(encoding="utf-8")))


# ------------------------------------------------------------------------- assess step


def assess(
    client: str,
    domains: Sequence[str],
    dkim_selectors: Sequence[str],
    network: Mapping[str, JsonValue] | None,
    out_dir: str | Path,
) -> tuple[Evidence, tuple[Finding, ...]]:
    """Gather evidence (the only network step), run the checks, save both."""
    from assessment.gather import gather, save_evidence

    run_dir = Path(out_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    profile = profile_from_json(network)
    names = [d.strip().lower().rstrip(".") for d in domains if d.strip()]
    evidence = gather(client, names, profile, list(dkim_selectors))
    save_evidence(evidence, run_dir / EVIDENCE_FILE)
    findings = run_checks(evidence)
    save_findings(findings, run_dir / FINDINGS_FILE)
    return evidence, findings


def load_run(run_dir: str | Path) -> tuple[Evidence, tuple[Finding, ...]]:
    from assessment.gather import load_evidence

    folder = Path(run_dir)
    return load_evidence(folder / EVIDENCE_FILE), load_findings(folder / FINDINGS_FILE)


# ------------------------------------------------------------------------- report step


def evidence_date(evidence: Evidence) -> date:
    return datetime.fromisoformat(evidence.started_at.replace("Z", "+00:00")).date()


def report(run_dir: str | Path, *, as_of: str = "") -> Path:
    """Plan, readiness and the PDF, from the saved evidence and the TLS-RPT store only."""
    from assessment.plan import build_plan, plan_section, write_artifacts
    from assessment.readiness import assess_readiness, readiness_section
    from assessment.report.brand import resolve_brand
    from assessment.report.render import render_pdf
    from assessment.report.tlsrpt_section import build_tlsrpt_section
    from assessment.report.view import build_view
    from assessment.tlsrpt.store import TlsRptStore
    from assessment.tlsrpt.verdict import readiness_verdicts

    folder = Path(run_dir)
    info = read_run_info(folder)
    evidence, findings = load_run(folder)
    assessed_on = date.fromisoformat(as_of or info.assessed_on)
    data_dir = Path(info.data_dir)
    brand = resolve_brand(data_dir, info.slug)

    verdicts = {}
    tlsrpt = None
    store_file = store_path(data_dir, info.client)
    if store_file.is_file():
        with TlsRptStore(store_file) as store:
            frames = store.frames()
        all_verdicts = readiness_verdicts(frames, assessed_on)
        verdicts = {d: v for d, v in all_verdicts.items() if d in info.domains}
        tlsrpt = build_tlsrpt_section(frames, verdicts, info.domains, assessed_on)

    plan = build_plan(evidence, findings, assessed_on=assessed_on, verdicts=verdicts)
    write_artifacts(plan, folder)
    readiness = assess_readiness(evidence, findings, verdicts=verdicts)
    view = build_view(
        evidence,
        findings,
        brand=brand,
        assessed_on=assessed_on,
        tlsrpt=tlsrpt,
        plan=plan_section(plan),
        readiness=readiness_section(readiness),
    )
    result = render_pdf(view, folder / REPORT_FILE)
    if result.warnings:
        # A warning means something in the PDF is not as designed; say so rather than
        # hand over a silently degraded deliverable.
        (folder / "render-warnings.txt").write_text("\n".join(result.warnings) + "\n")
    return result.path


def today() -> str:
    return datetime.now(UTC).date().isoformat()
