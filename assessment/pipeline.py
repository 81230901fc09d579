"""The steps the notebooks call, one per notebook, so notebooks stay thin.

Each step reads and writes one run folder (`assessment.workspace.RunFolder` names its files).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from assessment.checks import findings_to_json, run_checks
from assessment.codec import JsonValue, from_json, to_json
from assessment.model import Evidence, Finding, NetworkProfile
from assessment.names import DomainName
from assessment.runs import Run, load_findings, load_run
from assessment.workspace import RunFolder, RunInfo, Workspace, write_atomic
from assessment.workspace import data_dir as workspace_data_dir

__all__ = [
    "assess",
    "evidence_date",
    "load_findings",
    "load_run",
    "profile_from_json",
    "profile_to_json",
    "report",
    "save_findings",
    "today",
]

if TYPE_CHECKING:
    from assessment.dmarc.gate import DmarcVerdict
    from assessment.report.dmarc_section import DmarcSection


def profile_from_json(data: Mapping[str, JsonValue] | None) -> NetworkProfile:
    """The notebook parameter `network` (a JSON object) as a `NetworkProfile`; {} = defaults."""
    return from_json(NetworkProfile, dict(data or {}))


def profile_to_json(profile: NetworkProfile) -> JsonValue:
    return to_json(profile)


def save_findings(findings: Sequence[Finding], path: Path) -> None:
    write_atomic(path, findings_to_json(findings))


# ------------------------------------------------------------------------- assess step


def assess(
    client: str,
    domains: Sequence[str],
    dkim_selectors: Sequence[str] = (),
    network: NetworkProfile | Mapping[str, JsonValue] | None = None,
    out_dir: str | Path = "",
    *,
    data_dir: str | Path = "",
) -> Run:
    """Gather evidence (the only network step), run the checks, and save both with the
    run's run.json, so the folder is complete for `report.ipynb` and `mailposture report`.

    `out_dir` "" makes a new run folder for the client under the data folder (`data_dir`,
    "" for the default); `network` is a `NetworkProfile` or its JSON (the notebook
    parameter); None or {} is the real internet through the system resolver.
    """
    from assessment.clients import load_client
    from assessment.gather import gather, save_evidence

    data = workspace_data_dir(data_dir)
    names = tuple(DomainName.parse(d).ascii for d in domains)
    if str(out_dir).strip():
        folder = RunFolder(Path(out_dir).expanduser().resolve())
    else:
        folder = Workspace(data).client(client).new_run()
    folder.path.mkdir(parents=True, exist_ok=True)
    profile = network if isinstance(network, NetworkProfile) else profile_from_json(network)
    config = load_client(data, client)
    info = RunInfo(
        client,
        names,
        today(),
        str(data),
        country=config.country if config else "",
        frameworks=config.frameworks if config else (),
        demo=profile.lab,
    )
    folder.write_info(info)
    evidence = gather(client, list(names), profile, list(dkim_selectors))
    save_evidence(evidence, folder.evidence)
    findings = run_checks(evidence)
    save_findings(findings, folder.findings)
    return Run(folder, evidence, findings, info)


# ------------------------------------------------------------------------- report step


def evidence_date(evidence: Evidence) -> date:
    return datetime.fromisoformat(evidence.started_at.replace("Z", "+00:00")).date()


def report(run_dir: str | Path, *, as_of: str = "") -> Path:
    """Plan, readiness, the report and its evidence file, from the run folder and the client's
    stores only (no network)."""
    from assessment.diff import since_last
    from assessment.planning import build_plan, write_artifacts
    from assessment.planning.dmarc import gate_from_verdict
    from assessment.posture import assess_posture
    from assessment.readiness import assess_readiness
    from assessment.report.brand import resolve_brand
    from assessment.report.plan_view import plan_section
    from assessment.report.readiness_view import readiness_section
    from assessment.report.render import render_report_and_evidence
    from assessment.report.since_view import since_section
    from assessment.report.tlsrpt_section import build_tlsrpt_section
    from assessment.report.view import build_view
    from assessment.tlsrpt.gate import enforce_verdicts
    from assessment.tlsrpt.store import TlsRptStore

    folder = RunFolder(Path(run_dir))
    info = folder.read_info()
    run = load_run(folder.path)
    evidence, findings = run.evidence, run.findings
    assessed_on = date.fromisoformat(as_of or info.assessed_on)
    data_dir = Path(info.data_dir)
    brand = resolve_brand(data_dir, info.slug, demo=info.demo)
    client = Workspace(data_dir).client(info.client)

    verdicts = {}
    tlsrpt = None
    store_file = client.tlsrpt_store
    if store_file.is_file():
        with TlsRptStore(store_file) as store:
            frames = store.frames()
        all_verdicts = enforce_verdicts(frames, assessed_on)
        verdicts = {d: v for d, v in all_verdicts.items() if d in info.domains}
        tlsrpt = build_tlsrpt_section(frames, verdicts, info.domains, assessed_on)

    dmarc_verdicts, dmarc = _dmarc_reports(client.dmarc_store, evidence, info, assessed_on)
    posture = assess_posture(evidence, findings)
    plan = build_plan(
        evidence,
        findings,
        assessed_on=assessed_on,
        verdicts=verdicts,
        dmarc_gates={d: gate_from_verdict(v) for d, v in dmarc_verdicts.items()},
        country=info.country,
    )
    write_artifacts(plan, folder.path)
    readiness = assess_readiness(
        evidence,
        findings,
        country=info.country,
        frameworks=info.frameworks,
        verdicts=verdicts,
        dmarc_gates=dmarc_verdicts,
    )
    found = since_last(folder.path)
    since = since_section(found[1], found[0].read_info().assessed_on) if found else None
    view = build_view(
        evidence,
        findings,
        brand=brand,
        assessed_on=assessed_on,
        tlsrpt=tlsrpt,
        plan=plan_section(plan),
        readiness=readiness_section(readiness),
        dmarc=dmarc,
        first_steps=plan.first_actions,
        source_alerts=source_alerts(info),
        demo=info.demo or evidence.profile.lab,
        posture=posture,
        since=since,
    )
    result, extra = render_report_and_evidence(view, folder.report, folder.evidence_pdf)
    warnings = [*result.warnings, *extra.warnings]
    if warnings:
        # A warning means something in the PDF is not as designed; say so rather than
        # hand over a silently degraded deliverable.
        write_atomic(folder.render_warnings, "\n".join(warnings) + "\n")
    return result.path


def _dmarc_reports(
    store_file: Path, evidence: Evidence, info: RunInfo, as_of: date
) -> tuple[dict[str, DmarcVerdict], DmarcSection | None]:
    """The p=reject gate per audited domain and the report's "who sends" section, from the
    client's DMARC store; nothing when the client has none."""
    from assessment.checks.context import DomainContext
    from assessment.dmarc.gate import dmarc_verdicts
    from assessment.dmarc.store import DmarcStore
    from assessment.report.dmarc_section import build_dmarc_section

    if not store_file.is_file():
        return {}, None
    with DmarcStore(store_file) as store:
        frames = store.frames()
    published = {d.domain: DomainContext(d, evidence).dmarc for d in evidence.domains}
    verdicts = dmarc_verdicts(frames, as_of, published=published, domains=info.domains)
    reported = {d: v for d, v in verdicts.items() if v.days_covered}
    return reported, build_dmarc_section(frames, reported, info.domains)


def source_alerts(info: RunInfo) -> list[str]:
    """One sentence per report source that yielded nothing, for the report's first page."""
    kinds = {"tlsrpt": "TLS-RPT", "dmarc": "DMARC aggregate"}
    out = []
    for item in info.sources:
        kind = kinds.get(item.kind, item.kind)
        if item.error:
            out.append(f"The {kind} report source {item.source} could not be read: {item.error}.")
        elif item.imported + item.duplicate == 0:
            rejected = f" ({item.rejected} items rejected)" if item.rejected else ""
            out.append(f"The {kind} report source {item.source} gave no reports{rejected}.")
    return out


def today() -> str:
    return datetime.now(UTC).date().isoformat()
