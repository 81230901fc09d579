"""The p=reject gate: may a domain's DMARC policy move to quarantine, or to reject?

A wrong "ready" loses the client's legitimate mail, so the gate is conservative
and says exactly what stands in the way. Pure: frames in, frozen verdicts out.

Window: ``as_of`` is the day of the assessment; a day's reports arrive during the
next day, so the window is the ``window_days`` full UTC days before ``as_of``
(30 by default: a monthly newsletter must show up). A record belongs to the UTC
day its report begins.

What counts (see ``assessment.dmarc.inventory`` for the categories):

- legitimate mail: rows that pass DMARC (forwarded or not), rows of
  recognised services that fail, and rows of *unexplained* senders: unrecognised
  sources failing DMARC with at least ``unexplained_min_messages`` messages on at
  least ``unexplained_min_days`` days. Until someone says who they are, they are
  counted as the client's own mail that would be lost;
- apart: failing forwarders and mailing lists (never the client's to fix), sporadic
  unauthenticated sources (background spoofing, which enforcement exists to stop)
  and sources the client disowned (``not_ours``).

Status, in this order:

1. NOT_READY when anything blocks quarantine: an unexplained sender, a recognised
   service whose failing mail exceeds ``max_service_failure_share`` of legitimate
   mail, or an aligned share below ``quarantine_min_aligned``. Known losses outweigh
   thin coverage, as in the TLS-RPT gate.
2. INSUFFICIENT_DATA when coverage is short: fewer than ``min_days`` days or
   ``min_reporters`` reporting organisations in the window, fewer than
   ``min_messages`` legitimate messages (unless the domain sends none at all),
   or no report in the last ``max_report_age_days`` days (the ``rua`` address may
   have stopped accepting reports).
3. READY_FOR_REJECT when the domain sends no legitimate mail at all, or when it
   has been at ``p=quarantine`` (or reject; ``pct=100``, not in test mode) on at
   least ``min_enforced_days`` days of the window, at least ``reject_min_aligned``
   of legitimate mail is aligned, and no recognised service failed in the last
   ``clean_days`` days. Otherwise READY_FOR_QUARANTINE: the staged rollout
   (none, quarantine, reject) that M3AAWG and the providers recommend.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Final

import pandas as pd

from assessment.dmarc.frames import Frames
from assessment.dmarc.inventory import (
    Category,
    classify,
    report_day,
    reporter_names,
    sender_key,
    sustained_unknown,
)
from assessment.dmarc.services import BY_ID, Service, tenant_from
from assessment.records.dmarc import DmarcRecord

ENFORCING: Final = frozenset({"quarantine", "reject"})


class GateStatus(StrEnum):
    READY_FOR_REJECT = "ready-for-reject"
    READY_FOR_QUARANTINE = "ready-for-quarantine"
    NOT_READY = "not-ready"
    INSUFFICIENT_DATA = "insufficient-data"

    @property
    def label(self) -> str:
        """The verdict in words, as the plan and the report print it."""
        return {
            GateStatus.READY_FOR_REJECT: "ready for p=reject",
            GateStatus.READY_FOR_QUARANTINE: "ready for p=quarantine",
            GateStatus.NOT_READY: "not ready to enforce DMARC",
            GateStatus.INSUFFICIENT_DATA: "not enough DMARC report data yet",
        }[self]


class FixKind(StrEnum):
    AUTHENTICATE = "authenticate"
    """Make the service sign as the domain (DKIM) and, where it can, align SPF."""
    STOP_USING = "stop-using"
    """The sender cannot send as the domain: send from an authenticated service instead."""
    IDENTIFY = "identify"
    """Unrecognised: find out who it is, then authorise it or disown it."""


@dataclass(frozen=True)
class DmarcGates:
    """The conditions for recommending p=quarantine and p=reject; the rollout plan quotes them."""

    window_days: int = 30
    min_days: int = 14
    min_reporters: int = 2
    min_messages: int = 100
    max_report_age_days: int = 3
    quarantine_min_aligned: float = 0.98
    reject_min_aligned: float = 0.995
    max_service_failure_share: float = 0.005
    unexplained_min_messages: int = 20
    unexplained_min_days: int = 3
    min_enforced_days: int = 14
    clean_days: int = 7

    def describe(self) -> tuple[str, ...]:
        """The gates as sentences for a rollout plan."""
        return (
            f"At least {self.min_days} days of DMARC aggregate reports in the last "
            f"{self.window_days} days, from at least {self.min_reporters} reporting "
            f"organisations, the latest no more than {self.max_report_age_days} days old.",
            f"At least {self.min_messages} legitimate messages in the window (a domain that "
            "sends no mail at all can go straight to p=reject).",
            "No unexplained sender: every unrecognised source failing DMARC with at least "
            f"{self.unexplained_min_messages} messages on {self.unexplained_min_days} or more "
            "days is identified, then authorised or disowned.",
            f"p=quarantine: at least {self.quarantine_min_aligned:.0%} of legitimate mail "
            "passes DMARC and no recognised sending service fails with more than "
            f"{self.max_service_failure_share:.1%} of it.",
            f"p=reject: at least {self.reject_min_aligned:.1%} passes, no recognised service "
            f"failed in the last {self.clean_days} days, and the domain has been at "
            f"p=quarantine (pct=100) for at least {self.min_enforced_days} days.",
        )


@dataclass(frozen=True)
class SenderFix:
    """One sender to fix before enforcing, with the exact change."""

    sender: str
    """The service's name, or the source IP address."""
    service: str
    """The service id (``assessment.dmarc.services``), "" for an unrecognised source."""
    kind: FixKind
    messages: int
    """Failing messages in the window."""
    share: float
    """Of the domain's legitimate messages in the window."""
    days: int
    last_day: date
    action: str
    records: tuple[str, ...] = ()
    """DNS records to publish (zone-file lines), when their values are known."""
    docs: tuple[str, ...] = ()


@dataclass(frozen=True)
class DmarcVerdict:
    domain: str
    status: GateStatus
    reasons: tuple[str, ...]
    blockers: tuple[str, ...]
    window_start: date
    window_end: date
    days_covered: int
    reporters: tuple[str, ...]
    messages: int
    legitimate_messages: int
    aligned_messages: int
    aligned_share: float | None
    forwarded_messages: int
    unauthenticated_messages: int
    current_policy: str | None
    enforced_days: int
    to_fix: tuple[SenderFix, ...]
    first_report: date | None
    last_report: date | None
    gates: DmarcGates = field(default_factory=DmarcGates)


@dataclass(frozen=True)
class _Figures:
    days: int = 0
    reporters: tuple[str, ...] = ()
    messages: int = 0
    aligned: int = 0
    legitimate: int = 0
    forwarded: int = 0
    unauthenticated: int = 0
    enforced_days: int = 0
    latest_policy: str | None = None
    first: date | None = None
    last: date | None = None
    lost_now: int = 0
    fixes: tuple[SenderFix, ...] = ()
    recent_service_failures: int = 0
    disagreeing: int = 0
    dkim_only: int = 0
    dkim_only_services: tuple[str, ...] = ()


def dmarc_verdicts(
    frames: Frames,
    as_of: date,
    *,
    published: Mapping[str, DmarcRecord | None] | None = None,
    domains: Sequence[str] | None = None,
    gates: DmarcGates | None = None,
    not_ours: Collection[str] = (),
) -> dict[str, DmarcVerdict]:
    """The gate's verdict for every domain, sorted by domain.

    ``domains``: the domains to judge (default: every policy domain of the reports
    and of ``published``). ``published``: the DMARC record each domain publishes
    now (from the assessment's evidence), for its current policy. ``not_ours``:
    source IPs or service ids the client confirmed it does not use.
    """
    rules = gates or DmarcGates()
    records = published or {}
    classified = classify(frames, not_ours)
    reported = {str(d) for d in frames.reports["policy_domain"].dropna().unique()}
    names = domains if domains is not None else reported | set(records)
    wanted = sorted({_name(d) for d in names})
    out: dict[str, DmarcVerdict] = {}
    for domain in wanted:
        figures = _figures(frames, classified, domain, as_of, rules)
        record = records.get(domain)
        out[domain] = _verdict(domain, figures, as_of, rules, record)
    return out


def dmarc_verdict(
    frames: Frames,
    domain: str,
    as_of: date,
    *,
    published: DmarcRecord | None = None,
    gates: DmarcGates | None = None,
    not_ours: Collection[str] = (),
) -> DmarcVerdict:
    """The gate's verdict for one domain (see ``dmarc_verdicts``)."""
    name = _name(domain)
    verdicts = dmarc_verdicts(
        frames,
        as_of,
        published={name: published},
        domains=[name],
        gates=gates,
        not_ours=not_ours,
    )
    return verdicts[name]


def _name(domain: str) -> str:
    return domain.strip().rstrip(".").lower()


def window(as_of: date, window_days: int) -> tuple[date, date]:
    """The first and last day of the review window (the full days before ``as_of``)."""
    end = as_of - timedelta(days=1)
    return end - timedelta(days=max(window_days, 1) - 1), end


def _day(value: date) -> pd.Timestamp:
    return pd.Timestamp(value.year, value.month, value.day)


def _as_date(value: object) -> date:
    return pd.Timestamp(value).date()  # type: ignore[arg-type]


def _figures(
    frames: Frames,
    classified: pd.DataFrame,
    domain: str,
    as_of: date,
    rules: DmarcGates,
) -> _Figures:
    start, end = window(as_of, rules.window_days)
    lo, hi = _day(start), _day(end)
    reports = frames.reports[frames.reports["policy_domain"] == domain]
    if reports.empty:
        return _Figures()
    days = report_day(reports["begin"])
    before = days <= hi
    if not before.any():
        return _Figures()
    first, last = _as_date(days[before].min()), _as_date(days[before].max())
    in_window = before & (days >= lo)
    win_reports = reports[in_window]
    win_days = days[in_window]
    names = reporter_names(win_reports["email"], win_reports["org_name"])
    reporters = tuple(sorted(set(names)))
    enforcing = (
        win_reports["p"].isin(ENFORCING)
        & (win_reports["pct"].isna() | (win_reports["pct"] == 100))
        & (win_reports["testing"].fillna("n") != "y")
    )
    latest = reports[before].sort_values("begin", kind="stable")["p"]

    rows = classified[
        (classified["policy_domain"] == domain)
        & (classified["day"] >= lo)
        & (classified["day"] <= hi)
        & (classified["category"] != Category.OTHER_DOMAIN)
    ]
    rows = rows.assign(sender=sender_key(rows))
    sustained = sustained_unknown(rows, rules.unexplained_min_messages, rules.unexplained_min_days)
    is_unexplained = (rows["category"] == Category.UNKNOWN) & rows["sender"].isin(sustained)
    category = rows["category"]
    messages = rows["messages"]
    # Passing mail counts as the client's whatever its path: a forwarder whose mail
    # passes is indistinguishable from a sender missing from SPF that DKIM carries
    # (all of Microsoft 365's mail when the SPF include is missing), and excluding
    # it could make a domain look as if it sent nothing.
    passes = rows["passes"]
    aligned = int(messages[passes].sum())
    dkim_only = passes & ~rows["spf_aligned"] & rows["spf_result"].isin(["fail", "softfail"])
    to_fix_rows = rows[(category == Category.SERVICE) | is_unexplained]
    legitimate = aligned + int(to_fix_rows["messages"].sum())
    recent = _day(end - timedelta(days=max(rules.clean_days, 1) - 1))
    service_rows = rows[category == Category.SERVICE]
    reported = rows["reported_pass"]
    ours = rows["dkim_aligned"] | rows["spf_aligned"]
    differs = reported.notna() & (reported.fillna(False).astype(bool) != ours)
    return _Figures(
        days=int(win_days.nunique()),
        reporters=reporters,
        messages=int(messages.sum()),
        aligned=aligned,
        legitimate=legitimate,
        forwarded=int(messages[(category == Category.FORWARDED) & ~passes].sum()),
        dkim_only=int(messages[dkim_only].sum()),
        dkim_only_services=_words(rows["service"][dkim_only]),
        unauthenticated=int(
            messages[
                (category == Category.NOT_OURS) | ((category == Category.UNKNOWN) & ~is_unexplained)
            ].sum()
        ),
        enforced_days=int(win_days[enforcing].nunique()),
        latest_policy=str(latest.iloc[-1]) if len(latest) else None,
        first=first,
        last=last,
        lost_now=int(to_fix_rows["messages"][to_fix_rows["disposition"].isin(ENFORCING)].sum()),
        fixes=_fixes(to_fix_rows, domain, legitimate),
        recent_service_failures=int(service_rows["messages"][service_rows["day"] >= recent].sum()),
        disagreeing=int(messages[differs].sum()),
    )


def _fixes(rows: pd.DataFrame, domain: str, legitimate: int) -> tuple[SenderFix, ...]:
    """One fix per failing sender, most failing messages first."""
    fixes: list[SenderFix] = []
    for sender, group in rows.groupby("sender", sort=False):
        count = int(group["messages"].sum())
        service_id = str(group["service"].iloc[0]) if group["category"].iloc[0] == "service" else ""
        common = {
            "sender": str(sender),
            "service": service_id,
            "messages": count,
            "share": count / legitimate if legitimate else 0.0,
            "days": int(group["day"].nunique()),
            "last_day": _as_date(group["day"].max()),
        }
        if service_id:
            fixes.append(_service_fix(BY_ID[service_id], group, domain, common))
        else:
            fixes.append(_identify_fix(group, domain, common))
    return tuple(sorted(fixes, key=lambda f: (-f.messages, f.sender)))


def _words(values: Iterable[object]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(w for v in values if isinstance(v, str) for w in v.split() if w))


def _service_fix(
    service: Service, group: pd.DataFrame, domain: str, common: dict[str, object]
) -> SenderFix:
    # Where a From domain below the policy domain is used, that is the one to authenticate.
    froms = _words(group["header_from"])
    signing_domain = froms[0] if len(froms) == 1 else domain
    tenant = tenant_from(_words(group["dkim_domains"])) or "<tenant>.onmicrosoft.com"
    values = {
        "domain": signing_domain,
        "dashed": signing_domain.replace(".", "-"),
        "tenant": tenant,
    }
    if not service.dkim_fix:
        return SenderFix(
            kind=FixKind.STOP_USING,
            action=(
                f"stop sending as {signing_domain} through {service.name}: it cannot sign as "
                f"{signing_domain}; send from an authenticated service instead"
            ),
            docs=service.docs,
            **common,  # type: ignore[arg-type]
        )
    selectors = _words(group["client_selectors"])
    records = tuple(line.format(**values) for line in service.dkim_records)
    if selectors:
        # It already signs as the domain, with a key nobody can find: publish the keys
        # (all of the service's records: it checks them as a set before signing).
        action = (
            f"{service.name} signs as {signing_domain} with selector "
            f"{', '.join(selectors)}, but that DKIM key is not published (or wrong): "
            + service.dkim_fix.format(**values)
        )
    else:
        signers = _words(group["dkim_domains"])
        action = (
            f"{service.name} signs as {signers[0] if signers else 'nobody'}, not as "
            f"{signing_domain}: " + service.dkim_fix.format(**values)
        )
    spf_failing = not bool(group["spf_aligned"].any())
    if service.spf_fix and spf_failing:
        action += "; and " + service.spf_fix.format(**values)
    return SenderFix(
        kind=FixKind.AUTHENTICATE,
        action=action,
        records=records,
        docs=service.docs,
        **common,  # type: ignore[arg-type]
    )


def _identify_fix(group: pd.DataFrame, domain: str, common: dict[str, object]) -> SenderFix:
    sender = str(common["sender"])
    addresses = _words(group["source_ip"])
    froms = ", ".join(_words(group["header_from"])) or domain
    helo = ", ".join(_words(group["helo"]))
    spf = ", ".join(
        f"{d} {r}"
        for d, r in dict.fromkeys(zip(group["spf_domain"], group["spf_result"], strict=True))
        if d
    )
    dkim = ", ".join(_words(group["dkim_domains"]))
    seen = "; ".join(
        part
        for part in (
            f"HELO {helo}" if helo else "",
            f"SPF {spf}" if spf else "SPF none",
            f"DKIM {dkim}" if dkim else "no DKIM signature",
        )
        if part
    )
    if sender in addresses:
        who = f"the sender at {sender}"
        mechanism = "ip6" if ":" in sender else "ip4"
        authorise = (
            f"have it sign with a DKIM key published under {domain}, or add "
            f"{mechanism}:{sender} to the SPF record of the envelope domain it uses"
        )
    else:
        shown = ", ".join(addresses[:3]) + (" and others" if len(addresses) > 3 else "")
        who = f"the sender authenticating as {sender} (from {len(addresses)} addresses: {shown})"
        authorise = (
            f"set it up to sign as {domain} (the DKIM records its documentation gives) "
            "and, where it offers one, a return-path under the domain"
        )
    action = (
        f"identify {who}: {common['messages']} messages From {froms} on {common['days']} "
        f"days ({seen}). If it is the client's, {authorise}. If nobody claims it, it is "
        "spoofing: enforcement will stop it; record it as not the client's."
    )
    return SenderFix(kind=FixKind.IDENTIFY, action=action, **common)  # type: ignore[arg-type]


def _fmt(day: date, as_of: date) -> str:
    return f"{day.day} {day:%b}" if day.year == as_of.year else f"{day.day} {day:%b %Y}"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


def _verdict(
    domain: str,
    fig: _Figures,
    as_of: date,
    rules: DmarcGates,
    record: DmarcRecord | None,
) -> DmarcVerdict:
    start, end = window(as_of, rules.window_days)
    period = f"the last {rules.window_days} days ({_fmt(start, as_of)} to {_fmt(end, as_of)})"
    current = record.policy_or_default.value if record is not None else fig.latest_policy
    share = fig.aligned / fig.legitimate if fig.legitimate else None
    summary: list[str] = []
    coverage: list[str] = []
    blockers: list[str] = []
    reasons: list[str] = []

    if fig.days == 0:
        coverage.append(
            f"No DMARC aggregate reports for {domain} in {period}; reports must arrive for "
            f"at least {rules.min_days} days before a decision."
        )
    else:
        summary.append(
            (
                f"Reports for every day of {period}"
                if fig.days >= rules.window_days
                else f"Reports on {fig.days} of {period}"
            )
            + " from "
            f"{_plural(len(fig.reporters), 'reporting organisation')} "
            f"({', '.join(fig.reporters)}): {_plural(fig.messages, 'message')}, of which "
            f"{fig.legitimate:,} legitimate ({fig.aligned:,} passing DMARC"
            + (f", {share:.1%}" if share is not None else "")
            + f"), {fig.forwarded:,} forwarded and failing, and {fig.unauthenticated:,} "
            "unauthenticated (spoofing or unknown one-offs)."
        )
        if fig.days < rules.min_days:
            coverage.append(
                f"Only {_plural(fig.days, 'day')} of reports; at least {rules.min_days} are needed."
            )
        if len(fig.reporters) < rules.min_reporters:
            coverage.append(
                f"Only {_plural(len(fig.reporters), 'reporting organisation')}; at least "
                f"{rules.min_reporters} are needed."
            )
        if 0 < fig.legitimate < rules.min_messages:
            coverage.append(
                f"Only {_plural(fig.legitimate, 'legitimate message')} in the window; at "
                f"least {rules.min_messages} are needed to judge the aligned share."
            )
    if fig.last is not None and (as_of - fig.last).days > rules.max_report_age_days:
        coverage.append(
            f"The latest report is from {_fmt(fig.last, as_of)}: reports have stopped "
            "arriving (check that the rua address still accepts them)."
        )
    if rules.window_days < rules.min_days:
        coverage.append(
            f"The {rules.window_days}-day window is shorter than the {rules.min_days} days "
            "the gate requires."
        )

    for fix in fig.fixes:
        detail = (
            f"{fix.sender}: {_plural(fix.messages, 'failing message')} ({fix.share:.1%} of "
            f"legitimate mail) on {_plural(fix.days, 'day')}, last on {_fmt(fix.last_day, as_of)}"
        )
        if fix.kind is FixKind.IDENTIFY:
            blockers.append(f"Unexplained sender {detail}: identify it before enforcing.")
        elif fix.share > rules.max_service_failure_share:
            blockers.append(f"{detail}: would lose this mail under enforcement.")
        else:
            reasons.append(f"Small failing sender {detail}; fix it before p=reject.")
    if share is not None and share < rules.quarantine_min_aligned:
        blockers.append(
            f"Only {share:.1%} of legitimate mail passes DMARC; at least "
            f"{rules.quarantine_min_aligned:.0%} is needed before p=quarantine."
        )
    if fig.dkim_only and fig.dkim_only > 0.05 * fig.aligned:
        services = ", ".join(BY_ID[s].name for s in fig.dkim_only_services if s in BY_ID)
        reasons.append(
            f"{_plural(fig.dkim_only, 'passing message')} ({fig.dkim_only / fig.aligned:.0%}) "
            "pass only by DKIM while SPF fails: forwarders, or a sender missing from the "
            "SPF record"
            + (f" (signed by {services}: check its SPF include)" if services else "")
            + "; such mail fails DMARC as soon as a relay breaks its signature."
        )
    if fig.disagreeing:
        reasons.append(
            f"For {_plural(fig.disagreeing, 'message')} the reporter's DMARC verdict differs "
            "from the alignment recomputed from its own auth_results (the reporter's verdict "
            "is what it enforces, so it is the one used)."
        )
    if fig.lost_now and current in ENFORCING:
        blockers.append(
            f"The current p={current} already quarantined or rejected "
            f"{_plural(fig.lost_now, 'legitimate message')} in the window."
        )

    if blockers:
        status = GateStatus.NOT_READY
        reasons.append(f"Not ready: {_plural(len(blockers), 'blocker')} to clear first.")
    elif coverage:
        status = GateStatus.INSUFFICIENT_DATA
        reasons.append("Not enough evidence yet to recommend an enforcing policy.")
    elif fig.legitimate == 0:
        status = GateStatus.READY_FOR_REJECT
        reasons.append(
            f"No legitimate mail from {domain} in {period}: only forwarded or "
            "unauthenticated mail, so p=reject loses nothing."
        )
    else:
        status, why = _reject_or_quarantine(fig, share or 0.0, rules, as_of)
        reasons.extend(why)
    return DmarcVerdict(
        domain=domain,
        status=status,
        reasons=tuple(summary + coverage + reasons),
        blockers=tuple(blockers + (coverage if status is GateStatus.INSUFFICIENT_DATA else [])),
        window_start=start,
        window_end=end,
        days_covered=fig.days,
        reporters=fig.reporters,
        messages=fig.messages,
        legitimate_messages=fig.legitimate,
        aligned_messages=fig.aligned,
        aligned_share=share,
        forwarded_messages=fig.forwarded,
        unauthenticated_messages=fig.unauthenticated,
        current_policy=current,
        enforced_days=fig.enforced_days,
        to_fix=fig.fixes,
        first_report=fig.first,
        last_report=fig.last,
        gates=rules,
    )


def _reject_or_quarantine(
    fig: _Figures, share: float, rules: DmarcGates, as_of: date
) -> tuple[GateStatus, list[str]]:
    missing: list[str] = []
    if share < rules.reject_min_aligned:
        missing.append(
            f"{share:.1%} of legitimate mail passes; p=reject needs {rules.reject_min_aligned:.1%}"
        )
    if fig.recent_service_failures:
        missing.append(
            f"recognised services failed {_plural(fig.recent_service_failures, 'message')} in "
            f"the last {rules.clean_days} days"
        )
    if fig.enforced_days < rules.min_enforced_days:
        missing.append(
            f"reports show p=quarantine (pct=100) on {_plural(fig.enforced_days, 'day')}; "
            f"p=reject follows at least {rules.min_enforced_days} days of it"
        )
    if missing:
        return GateStatus.READY_FOR_QUARANTINE, [
            f"{share:.1%} of legitimate mail passes DMARC: ready for p=quarantine.",
            "Before p=reject: " + "; ".join(missing) + ".",
        ]
    return GateStatus.READY_FOR_REJECT, [
        f"{share:.1%} of legitimate mail passes DMARC after {_plural(fig.enforced_days, 'day')} "
        "at p=quarantine: ready for p=reject."
    ]
