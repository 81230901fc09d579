"""The documentation a consultant receives stands on its own and agrees with the kit."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUTSIDE = re.compile(r"\.\./|(?<![\w/])shared/|/work/")


def _documents() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def test_docs_and_docstrings_point_only_inside_the_repository() -> None:
    offenders = []
    for path in [*_documents(), *sorted((REPO / "assessment").rglob("*.py"))]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if OUTSIDE.search(line):
                offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_outside_check_can_fail() -> None:
    assert OUTSIDE.search("see ../shared/DESIGN.md")
    assert OUTSIDE.search("the checklist (shared/reference/checks.md)")
    assert not OUTSIDE.search("report_templates/brand/default/logo.svg")


def test_linked_docs_exist() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    for name in re.findall(r"`(docs/[\w.-]+\.md)`", text):
        assert (REPO / name).is_file(), name


def test_readme_run_folder_layout_names_every_run_file() -> None:
    from assessment.workspace import RunFolder

    text = (REPO / "README.md").read_text(encoding="utf-8")
    folder = RunFolder(Path("run"))
    for path in (folder.info_file, folder.evidence, folder.findings, folder.report):
        assert path.name in text, path.name


def test_import_behaviour_is_described_one_way() -> None:
    # Good items are kept whatever happens to others; an interrupted import is undone whole.
    for path in (REPO / "README.md", REPO / "docs" / "user-guide.md"):
        text = " ".join(path.read_text(encoding="utf-8").split())
        assert "all or nothing" not in text, path.name
        assert "interrupted" in text and "rejected" in text, path.name
