"""Turning a rule hit into a `Finding`: the catalogue supplies every word."""

from __future__ import annotations

import string
from collections.abc import Container, Iterable, Mapping, Sequence

from assessment.checks.catalogue import CATALOGUE
from assessment.model import Finding, Severity
from assessment.records.problem import Problem, ProblemLevel


class _Template(string.Formatter):
    """str.format that fails loudly on a missing value: a typo in a template is a bug."""

    def get_value(self, key: int | str, args: object, kwargs: Mapping[str, object]) -> object:
        if isinstance(key, str) and key not in kwargs:
            raise KeyError(f"template value {key!r} not supplied")
        return super().get_value(key, args, kwargs)  # type: ignore[arg-type]


_FORMAT = _Template()


class FindingSink:
    """Collects the findings of one domain's checks."""

    def __init__(self, domain: str) -> None:
        self.domain = domain
        self.items: list[Finding] = []

    def add(
        self,
        code: str,
        *,
        host: str | None = None,
        evidence: Iterable[str] = (),
        severity: Severity | None = None,
        **values: object,
    ) -> Finding:
        rule = CATALOGUE[code]
        context: dict[str, object] = {"domain": self.domain, "host": host or ""}
        context.update(values)
        finding = Finding(
            code=code,
            severity=severity or rule.severity,
            control=rule.control,
            domain=self.domain,
            host=host,
            title=_FORMAT.format(rule.title, **context),
            detail=_FORMAT.format(rule.detail, **context),
            evidence=tuple(evidence),
            remediation=_FORMAT.format(rule.fix, **context),
            references=rule.refs,
            why=_FORMAT.format(rule.why, **context),
            inconclusive=rule.inconclusive,
        )
        self.items.append(finding)
        return finding

    def codes(self) -> set[str]:
        return {f.code for f in self.items}

    def add_problems(
        self,
        problems: Iterable[Problem],
        codes: Mapping[ProblemLevel, str],
        *,
        name: str,
        evidence: Sequence[str],
        skip: Container[str] = (),
    ) -> None:
        """One finding per parser problem, the finding code chosen by the problem's level.

        Positions are shown 1-based, as a person counts characters.
        """
        for problem in problems:
            if problem.code in skip:
                continue
            self.add(
                codes[problem.level],
                evidence=[*evidence, f"{problem.code}: {problem.message}"],
                problem=problem.message,
                position=str(problem.position + 1) if problem.position is not None else "-",
                name=name,
            )
