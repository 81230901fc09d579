"""The dated steps of one domain's rollout, built in order from its current phase."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from assessment.model import Finding
from assessment.planning.detect import DomainState
from assessment.planning.texts import (
    ONE_DAY,
    ONE_YEAR,
    describe_seconds,
    policy_body,
    policy_id,
    sts_txt_value,
    tlsrpt_value,
)
from assessment.records.mtasts import StsMode
from assessment.tlsrpt.gate import EnforceGates, EnforceStatus, EnforceVerdict


class StepKind(StrEnum):
    IMMEDIATE = "immediate"
    PREREQUISITES = "prerequisites"
    TESTING = "testing"
    WATCH = "watch"
    ENFORCE = "enforce"
    MAX_AGE = "max-age"
    MONITOR = "monitor"
    ROLLBACK = "rollback"


@dataclass(frozen=True)
class PlanTiming:
    """How long each kind of step lasts. The defaults follow RFC 8461 §5 practice."""

    prerequisite_days: int = 7
    publish_days: int = 1
    watch_days: int = 21
    """A fresh testing phase: three weeks, inside the usual 2 to 4."""
    short_watch_days: int = 3
    """When the reports already show the gates met: time to re-read them and schedule."""
    # Enforce starts at one week, the shortest lifetime the checks accept for enforce
    # (MTA_STS_MAX_AGE_SHORT); a rollback is still quick because senders re-read the policy
    # as soon as the TXT id changes.
    max_age_steps: tuple[int, ...] = (604800, 1209600, ONE_YEAR)
    min_step_days: int = 7


@dataclass(frozen=True)
class PlanStep:
    kind: StepKind
    title: str
    start: date
    end: date | None
    """None for an ongoing step."""
    actions: tuple[str, ...] = ()
    gates: tuple[str, ...] = ()
    policy: str | None = None
    """The mta-sts.txt body to serve from `start`, when the step publishes one."""
    txt: str | None = None
    """The `_mta-sts` TXT value to publish once that body is live."""


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _host_reason(finding: Finding) -> str:
    return f"{finding.host or finding.domain}: {finding.detail} Fix: {finding.remediation}"


class Planner:
    """Builds one domain's steps in order; each step starts where the previous one ended."""

    def __init__(
        self,
        state: DomainState,
        assessed_on: date,
        verdict: EnforceVerdict | None,
        gates: EnforceGates,
        timing: PlanTiming,
    ) -> None:
        self.state = state
        self.today = assessed_on
        self.verdict = verdict
        self.gates = gates
        self.timing = timing
        self.cursor = assessed_on
        self.steps: list[PlanStep] = []
        self.ids: list[str] = [state.current_id] if state.current_id else []
        self.published_max_ages: list[int] = (
            [state.current_max_age] if state.current_max_age is not None else []
        )
        self.tlsrpt, self.tlsrpt_placeholder = tlsrpt_value(state.domain, state.tlsrpt_records)
        self.next_policy: tuple[str, str] | None = None
        self.enforce_policy: tuple[str, str] | None = None
        self.rollback_policy = (policy_body(StsMode.NONE, (), ONE_DAY), "")
        self.hosting_handled = False

    # ------------------------------------------------------------------ helpers

    def _after(self, days: int) -> date:
        return self.cursor + timedelta(days=days)

    def _add(self, step: PlanStep) -> None:
        self.steps.append(step)
        if step.end is not None:
            self.cursor = step.end

    def _publish(
        self, mode: StsMode, max_age: int, start: date
    ) -> tuple[str, str, tuple[str, ...]]:
        ident = policy_id(start, len(self.ids), self.ids)
        self.ids.append(ident)
        body = policy_body(mode, self.state.patterns, max_age)
        txt = sts_txt_value(ident)
        if mode is not StsMode.NONE:
            self.published_max_ages.append(max_age)
        if self.next_policy is None:
            self.next_policy = (body, txt)
        if mode is StsMode.ENFORCE and self.enforce_policy is None:
            self.enforce_policy = (body, txt)
        domain = self.state.domain
        actions = (
            f"Serve this policy at https://mta-sts.{domain}/.well-known/mta-sts.txt "
            f"(mode: {mode}, max_age: {max_age} = {describe_seconds(max_age)}).",
            f"Only once the new file is live, change the TXT record _mta-sts.{domain} to "
            f'"{txt}": senders re-read the policy when the id changes.',
        )
        return body, txt, actions

    def _mx_lines(self) -> str:
        return ", ".join(f"mx: {p}" for p in self.state.patterns)

    # ------------------------------------------------------------------ steps

    def immediate(self) -> bool:
        """BROKEN_ENFORCE: stop refusing mail today. True when the fix falls back to testing."""
        state = self.state
        back_to_testing = state.broken_transport
        actions: list[str] = []
        for finding in state.hosting_problems:
            actions.append(f"Fix the policy hosting now: {finding.detail} {finding.remediation}")
        self.hosting_handled = True
        start, end = self.cursor, self._after(self.timing.publish_days)
        if back_to_testing:
            body, txt, publish = self._publish(StsMode.TESTING, ONE_DAY, start)
            actions += [f"{f.host}: {f.detail}" for f in state.host_problems]
            actions.append(
                "Switch the policy to mode: testing now, so that no compliant sender refuses "
                "mail while these problems are fixed."
            )
        else:
            max_age = state.current_max_age
            keep = max_age if max_age is not None and 0 < max_age <= ONE_YEAR else ONE_DAY
            body, txt, publish = self._publish(StsMode.ENFORCE, keep, start)
            actions += [f"{f.host or state.domain}: {f.detail}" for f in state.coverage_problems]
            actions.append(f"Correct the mx lines now ({self._mx_lines()}), keeping mode: enforce.")
        actions += publish
        if state.current_max_age:
            actions.append(
                f"Senders that cached the old policy may keep applying it for up to "
                f"{describe_seconds(state.current_max_age)} (its max_age) unless they see the "
                "new id."
            )
        self._add(
            PlanStep(
                StepKind.IMMEDIATE,
                "Immediate fix: stop the published policy from blocking mail",
                start,
                end,
                tuple(actions),
                (f"https://mta-sts.{state.domain}/.well-known/mta-sts.txt serves the new policy.",),
                body,
                txt,
            )
        )
        return back_to_testing

    def prerequisites(self, include_hosting: bool) -> None:
        state = self.state
        actions: list[str] = []
        gates: list[str] = []
        for finding in state.host_problems:
            actions.append("Fix " + _host_reason(finding))
        if state.host_problems:
            gates.append(
                "Every MX host offers STARTTLS with a currently valid certificate for its own "
                "name: " + ", ".join(state.mx_hosts) + "."
            )
        for finding in state.expiring:
            actions.append(f"Renew before it lapses: {finding.detail}")
        for finding in state.inconclusive:
            actions.append(
                f"Could not be checked from our vantage point: {finding.detail} Confirm it "
                "from the TLS-RPT reports during testing."
            )
        if self.verdict is not None and self.verdict.status is EnforceStatus.NOT_READY:
            actions += [f"Clear the TLS-RPT blocker: {b}" for b in self.verdict.blockers]
        if include_hosting or state.hosting_problems:
            for finding in () if self.hosting_handled else state.hosting_problems:
                actions.append(f"Fix the policy hosting: {finding.detail} {finding.remediation}")
            actions.append(
                f"Host the policy at https://mta-sts.{state.domain}/.well-known/mta-sts.txt: "
                f"HTTPS on port 443, a valid certificate for mta-sts.{state.domain}, "
                "Content-Type text/plain, status 200, no redirect (see hosting-notes.txt)."
            )
            gates.append(
                f"https://mta-sts.{state.domain}/.well-known/mta-sts.txt answers 200 text/plain "
                "without a redirect."
            )
        actions.append(
            "List every live MX in the policy: "
            + ", ".join(state.mx_hosts)
            + f" are covered by {self._mx_lines()}."
        )
        self._add(
            PlanStep(
                StepKind.PREREQUISITES,
                "Prerequisites: MX certificates, policy hosting, mx lines",
                self.cursor,
                self._after(self.timing.prerequisite_days),
                tuple(actions),
                tuple(gates),
            )
        )

    def testing(self, title: str) -> None:
        start = self.cursor
        body, txt, publish = self._publish(StsMode.TESTING, ONE_DAY, start)
        domain = self.state.domain
        if self.tlsrpt_placeholder:
            tls = (
                f'Publish the TLS-RPT record _smtp._tls.{domain} "{self.tlsrpt}" '
                "(tls-rpt-record.zone), with the placeholder address replaced first."
            )
        else:
            tls = f'Keep the TLS-RPT record _smtp._tls.{domain} "{self.tlsrpt}" as it is.'
        self._add(
            PlanStep(
                StepKind.TESTING,
                title,
                start,
                self._after(self.timing.publish_days),
                (*publish, tls),
                (),
                body,
                txt,
            )
        )

    def _verdict_lines(self) -> tuple[str, ...]:
        verdict = self.verdict
        if verdict is None:
            return (
                "No TLS-RPT reports were analysed for this assessment; the gates are checked "
                "from the reports received during this phase.",
            )
        failed = "; ".join(verdict.failing_mx) or "none"
        lines = [
            f"TLS-RPT reports {_day(verdict.window_start)} to {_day(verdict.window_end)}: "
            f"{verdict.days_covered} days with reports ({self.gates.min_days} required); "
            f"{len(verdict.reporters)} reporters ({self.gates.min_reporters} required: "
            f"{', '.join(verdict.reporters) or 'none'}); {verdict.total_successful:,} successful "
            f"and {verdict.total_failed:,} failed sessions; MX hosts with recent failures: "
            f"{failed}.",
            f"Current verdict: {verdict.status.label}.",
        ]
        lines += [f"Blocker: {b}" for b in verdict.blockers]
        return tuple(lines)

    def watch(self, fresh: bool) -> None:
        """Watch the reports until the gates can hold.

        A freshly (re)published testing policy needs the full window, and never less than
        the days the verdict requires; reports for a day arrive the next day, hence the +1.
        """
        gates = self.gates
        start = self.cursor
        needed = max(self.timing.watch_days, gates.min_days + 1)
        verdict = self.verdict
        if not fresh and verdict is not None:
            missing_days = max(gates.min_days - verdict.days_covered, 0) + 1
            if verdict.status is EnforceStatus.READY:
                needed = self.timing.short_watch_days
            elif verdict.status is EnforceStatus.INSUFFICIENT_DATA:
                needed = max(missing_days, self.timing.short_watch_days)
            else:
                needed = max(missing_days, gates.clean_mx_days + 1, self.timing.short_watch_days)
        actions = [
            "Read the TLS-RPT reports each week: every MX should show successful sessions "
            "and no failures.",
            "If a failure names an MX host, fix that host (or its mx line, with a new id) "
            "and let the window run again.",
        ]
        self._add(
            PlanStep(
                StepKind.WATCH,
                "Watch the TLS-RPT reports in testing mode",
                start,
                start + timedelta(days=needed),
                (*actions, *self._verdict_lines()),
                gates.describe(),
            )
        )

    def ladder(self, first_mode_change: bool) -> None:
        """Enforce, then raise max_age in steps; each step lasts at least twice its max_age
        so every sender has re-read the policy once before the next raise."""
        current = self.state.current_max_age or 0
        steps = [a for a in self.timing.max_age_steps if first_mode_change or a > current]
        for index, max_age in enumerate(steps):
            start = self.cursor
            last = index == len(steps) - 1
            length = max(self.timing.min_step_days, 2 * max_age // ONE_DAY)
            end = None if last else start + timedelta(days=length)
            body, txt, publish = self._publish(StsMode.ENFORCE, max_age, start)
            if first_mode_change and index == 0:
                kind, title = StepKind.ENFORCE, "Switch to mode: enforce"
                extra: tuple[str, ...] = (
                    "Keep reading the TLS-RPT reports: from now on a failure means a sender "
                    "refused to deliver to that MX.",
                )
            else:
                kind = StepKind.MAX_AGE
                title = f"Raise max_age to {max_age} ({describe_seconds(max_age)})"
                extra = ("Raise only if the reports since the last step show no failures.",)
            self._add(
                PlanStep(
                    kind,
                    title,
                    start,
                    end,
                    (*publish, *extra),
                    ()
                    if last
                    else (f"No failed sessions in the TLS-RPT reports for {length} days.",),
                    body,
                    txt,
                )
            )
            if end is not None:
                self.cursor = end

    def monitor(self, start: date) -> None:
        actions = [
            "Keep reading the TLS-RPT reports; investigate any failed session.",
            "Before changing MX hosts or mail provider: add the new host to the policy (new id) "
            "first, wait out the max_age, then change the MX records.",
            "Renew MX and mta-sts certificates before they expire; an expired MX certificate "
            "stops delivery from compliant senders.",
        ]
        if not self.state.tlsrpt_records:
            actions.insert(
                0,
                f'Publish the TLS-RPT record _smtp._tls.{self.state.domain} "{self.tlsrpt}" '
                "so failures are reported to you.",
            )
        self._add(PlanStep(StepKind.MONITOR, "Monitor", start, None, tuple(actions)))

    def rollback(self, start: date) -> None:
        domain = self.state.domain
        longest = max(self.published_max_ages, default=ONE_DAY)
        ident = policy_id(start, 14, self.ids)
        body = policy_body(StsMode.NONE, (), ONE_DAY)
        self.rollback_policy = (body, sts_txt_value(ident))
        actions = (
            "If enforcement blocks legitimate mail: serve mta-sts-rollback.txt (mode: none) and "
            "then change the TXT record to a new id (mta-sts-rollback-record.zone uses "
            f"{ident}; any id not used before works).",
            "Keep serving mode: none for at least the longest max_age ever published "
            f"(in this plan up to {longest} seconds, {describe_seconds(longest)}) before "
            f"removing the _mta-sts.{domain} TXT record or the policy host (RFC 8461 §8.3): "
            "senders that cached an enforce policy keep applying it until then.",
            "Never just delete the TXT record: cached enforce policies stay in force.",
        )
        self.steps.append(
            PlanStep(StepKind.ROLLBACK, "Rollback procedure (if needed)", start, None, actions)
        )
