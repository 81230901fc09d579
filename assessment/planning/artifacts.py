"""A ready-to-publish text of the plan: a DNS record, a policy file, hosting notes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Artifact:
    """One file the client's IT provider publishes, byte-exact."""

    title: str
    filename: str
    text: str
