"""Saving and loading evidence snapshots: the JSON audit trail handed to the client.

Writes are atomic (temp file in the same folder, then `os.replace`), so an interrupted run
never leaves a half-written snapshot where a good one used to be.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from assessment.codec import from_json, to_json
from assessment.model import Evidence

SCHEMA_VERSION = 1
"""The `Evidence.schema` this version writes and reads."""


class SnapshotError(ValueError):
    """The file is not an evidence snapshot this version can read."""


def save_evidence(evidence: Evidence, path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(to_json(evidence), indent=2, ensure_ascii=False) + "\n"
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        Path(temp_name).replace(path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def load_evidence(path: Path) -> Evidence:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SnapshotError(f"{path}: not valid JSON ({exc})") from exc
    except UnicodeDecodeError as exc:
        raise SnapshotError(f"{path}: not UTF-8 text ({exc})") from exc
    if not isinstance(data, dict):
        raise SnapshotError(f"{path}: expected a JSON object, got {type(data).__name__}")
    schema = data.get("schema")
    if schema != SCHEMA_VERSION:
        raise SnapshotError(
            f"{path}: evidence schema {schema!r}, this version reads schema {SCHEMA_VERSION}"
        )
    try:
        return from_json(Evidence, data)
    except (ValueError, TypeError) as exc:
        raise SnapshotError(f"{path}: not an evidence snapshot: {exc}") from exc
