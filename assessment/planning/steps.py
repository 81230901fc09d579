"""One step of the rollout plan: what a person does, who, how long it takes, the exact records,
the check that proves it worked, and how to undo it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Track(StrEnum):
    """The control a step belongs to; the plan's swim lanes."""

    MX = "mx"
    PARKED = "parked"
    DMARC = "dmarc"
    DKIM = "dkim"
    SPF = "spf"
    MTA_STS = "mta-sts"

    @property
    def label(self) -> str:
        return {
            Track.MX: "Mail servers",
            Track.PARKED: "Parked domain",
            Track.DMARC: "DMARC",
            Track.DKIM: "DKIM",
            Track.SPF: "SPF",
            Track.MTA_STS: "MTA-STS and TLS-RPT",
        }[self]


class Owner(StrEnum):
    """Who does the step."""

    IT_PROVIDER = "it-provider"
    DNS_HOST = "dns-host"
    MAIL_ADMIN = "mail-admin"
    CONSULTANT = "consultant"

    @property
    def label(self) -> str:
        return {
            Owner.IT_PROVIDER: "IT provider",
            Owner.DNS_HOST: "DNS host",
            Owner.MAIL_ADMIN: "Mail administrator",
            Owner.CONSULTANT: "Consultant",
        }[self]


@dataclass(frozen=True)
class Effort:
    """Hands-on time for the person doing the step (not the waiting)."""

    minutes: int

    @property
    def label(self) -> str:
        if self.minutes < 60:
            return f"{self.minutes} minutes"
        if self.minutes < 240:
            hours = self.minutes / 60
            return "1 hour" if hours == 1 else f"{hours:g} hours"
        if self.minutes <= 240:
            return "half a day"
        days = max(1, round(self.minutes / 480))
        return "1 day" if days == 1 else f"{days} days"


class StepKind(StrEnum):
    IMMEDIATE = "immediate"
    REMOVE_MX = "remove-mx"
    PARKED_KIT = "parked-kit"
    SPF_FIX = "spf-fix"
    DKIM_ROTATE = "dkim-rotate"
    DKIM_ENABLE = "dkim-enable"
    DMARC_REPORTS = "dmarc-reports"
    DMARC_SENDERS = "dmarc-senders"
    DMARC_QUARANTINE = "dmarc-quarantine"
    DMARC_REJECT = "dmarc-reject"
    PREREQUISITES = "prerequisites"
    TESTING = "testing"
    WATCH = "watch"
    ENFORCE = "enforce"
    MAX_AGE = "max-age"
    MONITOR = "monitor"
    ROLLBACK = "rollback"


@dataclass(frozen=True)
class Record:
    """One DNS record to publish, exactly."""

    name: str
    """Owner name without the trailing dot."""
    rtype: str
    value: str
    """RDATA in presentation form; TXT values unquoted (quoting is the zone line's job)."""

    @property
    def zone_line(self) -> str:
        value = f'"{self.value}"' if self.rtype == "TXT" else self.value
        return f"{self.name}. IN {self.rtype} {value}"

    @classmethod
    def from_zone_line(cls, line: str) -> Record | None:
        """`name. [TTL] IN TYPE rdata` back into a record; None when it is not one."""
        parts = line.split(None, 4)
        if len(parts) >= 4 and parts[1].isdigit():
            parts = [parts[0], *line.split(None, 5)[2:]]
        if len(parts) < 4 or parts[1].upper() != "IN":
            return None
        name, _, rtype, value = parts[0], parts[1], parts[2].upper(), " ".join(parts[3:])
        if rtype == "TXT":
            value = value.strip().removeprefix('"').removesuffix('"')
        return cls(name.rstrip("."), rtype, value)


@dataclass(frozen=True)
class PlanTiming:
    """How long each kind of step lasts. The defaults follow RFC 8461 §5 and DMARC practice."""

    prerequisite_days: int = 7
    publish_days: int = 1
    watch_days: int = 21
    """A fresh testing phase: three weeks, inside the usual 2 to 4."""
    short_watch_days: int = 3
    """When the reports already show the gates met: time to re-read them and schedule."""
    # Enforce starts at one week, the shortest lifetime the checks accept for enforce
    # (MTA_STS_MAX_AGE_SHORT); a rollback is still quick because senders re-read the policy
    # as soon as the TXT id changes.
    max_age_steps: tuple[int, ...] = (604800, 1209600, 31557600)
    min_step_days: int = 7
    dmarc_observe_days: int = 28
    """Aggregate reports to read before a DMARC switch when the kit has none: four weeks
    catches monthly senders (invoicing, newsletters)."""
    dmarc_quarantine_days: int = 28
    """How long quarantine runs, watched, before reject."""
    dmarc_ready_days: int = 7
    """When the aggregate reports already show the gate met: a week to fix stragglers."""


@dataclass(frozen=True)
class PlanStep:
    kind: StepKind
    title: str
    """What a person does, as an instruction: "Publish ...", "Remove ...", "Switch ..."."""
    start: date
    end: date | None
    """None for an ongoing step."""
    actions: tuple[str, ...] = ()
    gates: tuple[str, ...] = ()
    """Conditions that must hold before the step starts."""
    policy: str | None = None
    """The mta-sts.txt body to serve from `start`, when the step publishes one."""
    txt: str | None = None
    """The `_mta-sts` TXT value to publish once that body is live."""
    track: Track = Track.MTA_STS
    domain: str = ""
    owner: Owner = Owner.DNS_HOST
    effort: Effort = Effort(15)
    records: tuple[Record, ...] = ()
    """DNS records this step publishes, exactly (also written as artifact files)."""
    check: str = ""
    """How to prove the step worked."""
    rollback: str = ""
    """How to undo it if it goes wrong."""
    switch: bool = False
    """A change that can block mail: lands only on a switch day (planning.calendar)."""
    priority: int = 50
    """Lower first, for "what to do first": stop losses, then stop impersonation, then the
    rest."""
