"""Two runs of one client compared: `diff_runs` is pure; the loaders read run folders."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from assessment.checks import findings_from_json
from assessment.checks.context import DomainContext
from assessment.diff.drift import drift
from assessment.diff.findings import match_findings
from assessment.diff.model import Drift, GradeChange, RecordChange, RunDiff
from assessment.diff.records import DomainRecords, record_changes
from assessment.model import Evidence, Finding
from assessment.posture import assess_posture
from assessment.workspace import RunFolder, Workspace, WorkspaceError


class DiffError(ValueError):
    """A run folder that cannot be compared; the message is one line."""


def _grades(evidence: Evidence, findings: Sequence[Finding]) -> dict[str, str | None]:
    posture = assess_posture(evidence, findings)
    return {d.domain: d.grade.letter if d.grade else None for d in posture.domains}


def diff_runs(
    before: Evidence,
    before_findings: Sequence[Finding],
    after: Evidence,
    after_findings: Sequence[Finding],
) -> RunDiff:
    """What changed from `before` to `after` (two runs of the same client)."""
    new, resolved, changed = match_findings(before_findings, after_findings)
    records: list[RecordChange] = []
    drifts: list[Drift] = []
    earlier = {d.domain: d for d in before.domains}
    for domain in after.domains:
        if domain.domain not in earlier:
            continue
        old = DomainRecords(DomainContext(earlier[domain.domain], before))
        now = DomainRecords(DomainContext(domain, after))
        records += record_changes(old, now)
        drifts += drift(old, now)
    old_grades, new_grades = _grades(before, before_findings), _grades(after, after_findings)
    grades = tuple(
        GradeChange(domain, old_grades.get(domain), new_grades.get(domain))
        for domain in dict.fromkeys([*new_grades, *old_grades])
        if old_grades.get(domain) != new_grades.get(domain)
    )
    return RunDiff(
        before_started=before.started_at,
        after_started=after.started_at,
        new=new,
        resolved=resolved,
        changed=changed,
        records=tuple(records),
        drift=tuple(drifts),
        grades=grades,
    )


# --------------------------------------------------------------------------- the only I/O


def load_run(path: Path) -> tuple[Evidence, tuple[Finding, ...]]:
    """A run folder's evidence and findings; DiffError with a one-line reason otherwise."""
    from assessment.gather import SnapshotError, load_evidence

    run = RunFolder(Path(path))
    if not run.path.is_dir():
        raise DiffError(f"{path}: no such folder")
    if not run.is_run():
        raise DiffError(f"{path}: no evidence.json, not a run folder")
    try:
        evidence = load_evidence(run.evidence)
        findings = findings_from_json(run.findings.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DiffError(f"{path}: no findings.json, the run did not finish") from None
    except (SnapshotError, OSError, UnicodeDecodeError, ValueError, TypeError) as exc:
        raise DiffError(f"{path}: cannot read the run: {exc}") from None
    return evidence, findings


def diff_folders(before: Path, after: Path) -> RunDiff:
    """`mailposture diff RUN_A RUN_B`."""
    old_evidence, old_findings = load_run(before)
    new_evidence, new_findings = load_run(after)
    return diff_runs(old_evidence, old_findings, new_evidence, new_findings)


def previous_run(run_dir: Path) -> RunFolder | None:
    """The client's latest complete run before this one (by run folder name), from the run's
    own run.json; None for a first assessment."""
    run = RunFolder(Path(run_dir))
    try:
        info = run.read_info()
        client = Workspace(Path(info.data_dir)).client(info.client)
    except WorkspaceError as exc:
        raise DiffError(str(exc)) from None
    return client.previous_run(run.path)


def since_last(run_dir: Path) -> tuple[RunFolder, RunDiff] | None:
    """The report's "Since your last assessment": the previous run and what changed since it,
    or None when this is the client's first run."""
    earlier = previous_run(run_dir)
    if earlier is None:
        return None
    return earlier, diff_folders(earlier.path, Path(run_dir))
