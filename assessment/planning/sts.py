"""The MTA-STS and TLS-RPT track of one domain: from where it stands today to `mode: enforce`
with a long max_age, each step dated on the client's working days."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from assessment.model import Finding
from assessment.planning.calendar import WorkCalendar
from assessment.planning.detect import DomainState, StsPhase
from assessment.planning.steps import (
    Effort,
    Owner,
    PlanStep,
    PlanTiming,
    Record,
    StepKind,
    Track,
)
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
from assessment.tlsrpt.gate import UNNAMED_MX, EnforceGates, EnforceStatus, EnforceVerdict


class StsPlanner:
    """Builds one domain's MTA-STS steps in order; each starts where the previous one ended."""

    def __init__(
        self,
        state: DomainState,
        start: date,
        verdict: EnforceVerdict | None,
        gates: EnforceGates,
        timing: PlanTiming,
        calendar: WorkCalendar,
    ) -> None:
        self.state = state
        self.verdict = verdict
        self.gates = gates
        self.timing = timing
        self.calendar = calendar
        self.cursor = calendar.working_day(start)
        self.steps: list[PlanStep] = []
        self.ids: list[str] = [state.current_id] if state.current_id else []
        self.published_max_ages: list[int] = (
            [state.current_max_age] if state.current_max_age is not None else []
        )
        self.tlsrpt, self.tlsrpt_placeholder = tlsrpt_value(state.domain, state.tlsrpt_records)
        self.next_policy: tuple[str, str] | None = None
        self.enforce_policy: tuple[str, str] | None = None
        self.rollback_policy: tuple[str, str] | None = None
        self.raised_policies: list[tuple[str, str]] = []
        """The policy and TXT value of each max_age raise after enforce, in order."""
        self.hosting_handled = False
        self.carried_gates: list[str] = []
        """Conditions of a prerequisites step that had nothing to do: the watch checks them."""

    # ------------------------------------------------------------------ helpers

    @property
    def domain(self) -> str:
        return self.state.domain

    @property
    def url(self) -> str:
        return f"https://mta-sts.{self.domain}/.well-known/mta-sts.txt"

    def _add(self, step: PlanStep) -> None:
        if step.end is not None:
            # Every date the plan prints is a working day, ends included.
            step = replace(step, end=self.calendar.working_day(step.end))
        self.steps.append(step)
        if step.end is not None:
            self.cursor = self.calendar.working_day(step.end)

    def _step(
        self, kind: StepKind, title: str, start: date, end: date | None, **kw: object
    ) -> None:
        self._add(
            PlanStep(
                kind,
                title,
                start,
                end,
                track=Track.MTA_STS,
                domain=self.domain,
                **kw,  # type: ignore[arg-type]
            )
        )

    def _publish(self, mode: StsMode, max_age: int, start: date) -> tuple[str, str, list[str]]:
        """A new policy body and TXT id for `start`; the body's id is always new, because
        senders re-read a policy only when the id changes (RFC 8461 §3.1)."""
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
        actions = [
            f"Serve the new policy file at {self.url} (mode: {mode}, max_age: {max_age}, "
            f"which is {describe_seconds(max_age)}).",
            f"Once the new file is served, change the TXT record _mta-sts.{self.domain} to "
            f'"{txt}". Senders re-read the policy only when the id changes.',
        ]
        return body, txt, actions

    def _txt_record(self, txt: str) -> Record:
        return Record(f"_mta-sts.{self.domain}", "TXT", txt)

    def _mx_lines(self) -> str:
        return ", ".join(f"mx: {p}" for p in self.state.patterns)

    # ------------------------------------------------------------------ steps

    def immediate(self) -> bool:
        """BROKEN_ENFORCE: stop refusing mail today. True when the fix falls back to testing."""
        state = self.state
        back_to_testing = state.broken_transport
        actions: list[str] = [
            f"Fix the policy hosting now: {f.detail} {f.remediation}"
            for f in state.hosting_problems
        ]
        self.hosting_handled = True
        start = self.cursor
        if back_to_testing:
            body, txt, publish = self._publish(StsMode.TESTING, ONE_DAY, start)
            actions += [f"{f.host}: {f.detail}" for f in state.host_problems]
            actions.append(
                "Switch the policy to mode: testing today, so that no sender refuses mail while "
                "these problems are fixed."
            )
        else:
            max_age = state.current_max_age
            keep = max_age if max_age is not None and 0 < max_age <= ONE_YEAR else ONE_DAY
            body, txt, publish = self._publish(StsMode.ENFORCE, keep, start)
            actions += [f"{f.host or state.domain}: {f.detail}" for f in state.coverage_problems]
            actions.append(f"Correct the mx lines today ({self._mx_lines()}), keeping enforce.")
        actions += publish
        if state.current_max_age:
            actions.append(
                "Senders that cached the old policy may keep applying it for up to "
                f"{describe_seconds(state.current_max_age)} (its max_age) until they see the "
                "new id."
            )
        self._step(
            StepKind.IMMEDIATE,
            f"Stop the MTA-STS policy of {self.domain} from blocking mail",
            start,
            self.calendar.add_working_days(start, self.timing.publish_days),
            actions=tuple(actions),
            policy=body,
            txt=txt,
            owner=Owner.IT_PROVIDER,
            effort=Effort(60),
            records=(self._txt_record(txt),),
            check=f"{self.url} serves the new policy and _mta-sts.{self.domain} carries its id.",
            rollback="None needed: this step itself removes the block.",
            priority=0,
        )
        return back_to_testing

    def prerequisites(self, include_hosting: bool, gates: tuple[str, ...] = ()) -> None:
        state = self.state
        actions: list[str] = []
        checks: list[str] = list(gates)
        for finding in state.host_problems:
            actions.append(_host_fix(finding))
        if state.host_problems:
            checks.append(
                "Every MX host offers STARTTLS with a currently valid certificate for its own "
                "name: " + ", ".join(state.planned_mx) + "."
            )
        for finding in state.expiring:
            actions.append(f"Renew before it lapses: {finding.detail}")
        for finding in state.inconclusive:
            actions.append(
                f"Could not be checked from where we tested: {finding.detail} The TLS-RPT "
                "reports of the testing phase will show whether it works."
            )
        if self.verdict is not None and self.verdict.status is EnforceStatus.NOT_READY:
            removed = [h for h in state.mx_hosts if h not in state.planned_mx]
            kept = [b for b in self.verdict.blockers if not any(h in b for h in removed)]
            for blocker in kept:
                if removed and UNNAMED_MX in blocker:
                    # The report cannot say which MX failed; with a host on its way out, that
                    # host is the likely one, and the removal is the fix to try first.
                    actions.append(
                        f"Probably {', '.join(removed)} again, though the report does not say: "
                        f"{blocker} If such failures go on after its removal, find the MX "
                        "behind them."
                    )
                else:
                    actions.append(
                        f"Fix the cause of this report failure: {blocker} Failures already "
                        "reported stay in the reports; the gate passes once the recent days "
                        "show none."
                    )
            if len(kept) < len(self.verdict.blockers):
                actions.append(
                    f"The failures reported for {', '.join(removed)} stop once its MX record is "
                    "removed."
                )
        if include_hosting or state.hosting_problems:
            for finding in () if self.hosting_handled else state.hosting_problems:
                actions.append(f"Fix the policy hosting: {finding.detail} {finding.remediation}")
            actions.append(
                f"Host the policy at {self.url}: HTTPS on port 443, a valid certificate for "
                f"mta-sts.{self.domain}, Content-Type text/plain, status 200, no redirect "
                "(hosting-notes.txt has recipes for common hosts)."
            )
            checks.append(f"{self.url} answers 200 with Content-Type text/plain and no redirect.")
        checks.append(
            f"The new policy's lines ({self._mx_lines()}) cover every MX host: "
            + ", ".join(state.planned_mx)
            + "."
        )
        if not actions:
            self.carried_gates += list(gates)
            return
        start = self.cursor
        title = (
            f"Prepare MTA-STS for {self.domain}: certificates, policy hosting and mx lines"
            if include_hosting
            else f"Clear what stops {self.domain} from enforcing MTA-STS"
        )
        self._step(
            StepKind.PREREQUISITES,
            title,
            start,
            self.calendar.add_working_days(start, self.timing.prerequisite_days),
            actions=tuple(actions),
            owner=Owner.IT_PROVIDER,
            effort=Effort(120 if include_hosting else 60),
            check=" ".join(checks),
            rollback="Nothing to undo: senders do not use the policy yet.",
            priority=40,
        )

    def testing(self, title: str) -> None:
        start = self.cursor
        body, txt, publish = self._publish(StsMode.TESTING, ONE_DAY, start)
        records = [self._txt_record(txt)]
        if self.tlsrpt_placeholder:
            publish.append(
                f"Publish the TLS-RPT record _smtp._tls.{self.domain} after replacing the "
                "placeholder address with a mailbox your consultant reads."
            )
            records.append(Record(f"_smtp._tls.{self.domain}", "TXT", self.tlsrpt))
        else:
            publish.append(f"Keep the TLS-RPT record _smtp._tls.{self.domain} as it is.")
        self._step(
            StepKind.TESTING,
            title,
            start,
            self.calendar.add_working_days(start, self.timing.publish_days),
            actions=tuple(publish),
            policy=body,
            txt=txt,
            owner=Owner.IT_PROVIDER,
            effort=Effort(30),
            records=tuple(records),
            check=(
                f"Re-test with the kit: {self.url} serves mode: testing, _mta-sts.{self.domain} "
                "carries the new id and the TLS-RPT record is valid."
            ),
            rollback="None needed: testing mode never blocks mail.",
            priority=45,
        )

    def _verdict_lines(self) -> tuple[str, ...]:
        verdict = self.verdict
        if verdict is None:
            return (
                "No TLS-RPT reports were analysed for this assessment: the gates are judged on "
                "the reports that arrive during this phase.",
            )
        return (
            f"Verdict today ({verdict.days_covered} days with reports, "
            f"{self.gates.min_days} required; {len(verdict.reporters)} reporters, "
            f"{self.gates.min_reporters} required): {verdict.status.label}.",
        )

    def watch(self, fresh: bool) -> None:
        """Watch the reports until the gates can hold.

        A freshly (re)published testing policy needs the full window, and never less than the
        days the verdict requires; reports for a day arrive the next day, hence the +1.
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
        self._step(
            StepKind.WATCH,
            f"Read the TLS-RPT reports of {self.domain} while MTA-STS is in testing",
            start,
            start + timedelta(days=needed),
            actions=(
                "Read the reports each week: every MX should show successful sessions and no "
                "failures.",
                "If a report names a failing MX host, fix that host (or its mx line, with a new "
                "id); the window then starts again.",
                *self._verdict_lines(),
            ),
            gates=tuple(self.carried_gates),
            owner=Owner.CONSULTANT,
            effort=Effort(30),
            check="Done when the kit's TLS-RPT verdict reads ready to enforce: "
            + "; ".join(g[:1].lower() + g[1:].rstrip(".") for g in gates.describe())
            + ".",
            rollback="None needed.",
            priority=60,
        )

    def ladder(self, first_mode_change: bool) -> None:
        """Enforce, then raise max_age in steps; each step lasts at least twice its max_age
        so every sender has re-read the policy once before the next raise."""
        current = self.state.current_max_age or 0
        steps = [a for a in self.timing.max_age_steps if first_mode_change or a > current]
        for index, max_age in enumerate(steps):
            start = self.calendar.switch_day(self.cursor)
            last = index == len(steps) - 1
            length = max(self.timing.min_step_days, 2 * max_age // ONE_DAY)
            end = None if last else start + timedelta(days=length)
            body, txt, publish = self._publish(StsMode.ENFORCE, max_age, start)
            enforce = first_mode_change and index == 0
            if enforce:
                kind = StepKind.ENFORCE
                title = f"Switch the MTA-STS policy of {self.domain} to enforce"
                publish.append(
                    "Keep reading the reports: from now on a failure means a sender refused to "
                    "deliver to that MX."
                )
                rollback = (
                    "If legitimate mail is refused: serve mta-sts-rollback.txt (mode: testing) "
                    "and publish mta-sts-rollback-record.zone (a new id); senders stop "
                    "enforcing as soon as they see the new id."
                )
            else:
                kind = StepKind.MAX_AGE
                self.raised_policies.append((body, txt))
                title = f"Raise the MTA-STS max_age of {self.domain} to {describe_seconds(max_age)}"
                rollback = "Publish the previous policy again with a new id."
                publish = [
                    "Serve the enforce policy again with only max_age changed, to "
                    f"{max_age} ({describe_seconds(max_age)}); then give the TXT record "
                    f"_mta-sts.{self.domain} a new id."
                ]
            self._step(
                kind,
                title,
                start,
                end,
                actions=tuple(publish),
                gates=(
                    ("The TLS-RPT verdict reads ready to enforce (see the reading step).",)
                    if enforce
                    else ("The reports since the last step show no failed sessions.",)
                ),
                policy=body,
                txt=txt,
                owner=Owner.IT_PROVIDER,
                effort=Effort(15),
                records=(self._txt_record(txt),),
                check=(
                    f"Re-test with the kit: {self.url} serves mode: enforce with max_age "
                    f"{max_age}, and the next reports show no failed sessions."
                ),
                rollback=rollback,
                switch=enforce,
                priority=70 if enforce else 80,
            )
            if end is not None:
                self.cursor = end

    def monitor(self, start: date) -> None:
        actions = [
            "Keep reading the TLS-RPT reports; investigate any failed session.",
            "Before changing MX hosts or mail provider: add the new host to the policy with a new "
            "id first, wait for the max_age to pass, then change the MX records.",
            "Renew MX and mta-sts certificates before they expire: an expired MX certificate "
            "stops delivery from senders that enforce.",
        ]
        self._add(
            PlanStep(
                StepKind.MONITOR,
                f"Keep MTA-STS of {self.domain} healthy",
                self.calendar.working_day(start),
                None,
                tuple(actions),
                track=Track.MTA_STS,
                domain=self.domain,
                owner=Owner.IT_PROVIDER,
                effort=Effort(15),
                check="Quarterly re-test with the kit.",
                priority=90,
            )
        )

    def rollback(self) -> None:
        """The rollback files of the plan: mode testing under a new id."""
        start = self.cursor
        ident = policy_id(start, 14, self.ids)
        self.ids.append(ident)
        body = policy_body(StsMode.TESTING, self.state.patterns, ONE_DAY)
        self.rollback_policy = (body, sts_txt_value(ident))


def _host_fix(finding: Finding) -> str:
    return f"Fix {finding.host or finding.domain}: {finding.detail} {finding.remediation}"


def plan_sts(
    state: DomainState,
    start: date,
    verdict: EnforceVerdict | None,
    gates: EnforceGates,
    timing: PlanTiming,
    calendar: WorkCalendar,
    prerequisite_gates: tuple[str, ...] = (),
) -> StsPlanner:
    """Every MTA-STS step of one domain, from its current phase."""
    planner = StsPlanner(state, start, verdict, gates, timing, calendar)
    phase = state.phase
    if phase is StsPhase.NONE:
        planner.prerequisites(include_hosting=True, gates=prerequisite_gates)
        planner.testing(
            f"Publish an MTA-STS policy for {state.domain} in testing mode, with TLS-RPT"
        )
        planner.watch(fresh=True)
        enforce_start = planner.cursor
        planner.ladder(first_mode_change=True)
    elif phase is StsPhase.TESTING:
        republish = (
            bool(state.coverage_problems)
            or state.current_max_age != ONE_DAY
            or not state.tlsrpt_records
            or state.patterns != state.current_patterns
        )
        if (
            state.host_problems
            or republish
            or prerequisite_gates
            or (verdict is not None and verdict.status is EnforceStatus.NOT_READY)
        ):
            planner.prerequisites(include_hosting=False, gates=prerequisite_gates)
        if republish:
            planner.testing(f"Update the MTA-STS testing policy of {state.domain}")
        planner.watch(fresh=republish or bool(state.host_problems))
        enforce_start = planner.cursor
        planner.ladder(first_mode_change=True)
    elif phase is StsPhase.ENFORCE:
        enforce_start = start
        planner.ladder(first_mode_change=False)
    else:
        to_testing = planner.immediate()
        if to_testing:
            planner.prerequisites(include_hosting=False, gates=prerequisite_gates)
            planner.watch(fresh=True)
            enforce_start = planner.cursor
            planner.ladder(first_mode_change=True)
        else:
            planner.watch(fresh=True)
            enforce_start = start
            planner.ladder(first_mode_change=False)
    planner.rollback()
    last = max((s.start for s in planner.steps), default=start)
    planner.monitor(max(enforce_start, last))
    return planner
