"""Snapshot files: atomic writes, clear errors for files that are not snapshots."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assessment.codec import to_json
from assessment.gather import SnapshotError, load_evidence, save_evidence
from assessment.model import DnsLookup, DomainEvidence, Evidence, NetworkProfile, Outcome


def sample() -> Evidence:
    profile = NetworkProfile()
    lookup = DnsLookup(name="x.test", rdtype="TXT", outcome=Outcome.OK, answers=("é\\x00",))
    return Evidence(
        client="Client",
        started_at="2026-01-01T00:00:00Z",
        finished_at="2026-01-01T00:00:01Z",
        network=profile.describe(),
        profile=profile,
        domains=(DomainEvidence(domain="x.test", dns=(lookup,)),),
    )


def test_round_trip_and_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "evidence.json"
    path.write_text("old")
    save_evidence(sample(), path)
    assert load_evidence(path) == sample()
    assert json.loads(path.read_text())["schema"] == 1


def test_bad_json_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    with pytest.raises(SnapshotError, match="not valid JSON"):
        load_evidence(path)


def test_wrong_schema_is_a_clear_error(tmp_path: Path) -> None:
    data = to_json(sample())
    assert isinstance(data, dict)
    data["schema"] = 99
    path = tmp_path / "future.json"
    path.write_text(json.dumps(data))
    with pytest.raises(SnapshotError, match="schema 99"):
        load_evidence(path)


def test_wrong_shape_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text("[]")
    with pytest.raises(SnapshotError, match="expected a JSON object"):
        load_evidence(path)
    data = to_json(sample())
    assert isinstance(data, dict)
    data["surprise"] = 1
    path.write_text(json.dumps(data))
    with pytest.raises(SnapshotError, match="unknown fields"):
        load_evidence(path)
