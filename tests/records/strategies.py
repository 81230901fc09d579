"""Hypothesis strategies and shared assertions for the record parser tests."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

from assessment.records.problem import CODES_BY_PARSER, PROBLEM_INFO, Problem

# Characters that matter to the grammars, plus the usual copy-paste damage.
_NOISE = " \t\r\n;:=,./%{}!@*-_+~?\"'“”\u00a0\ufeffvV0123456789aAzZ"


@st.composite
def mutated(draw: st.DrawFn, seeds: Sequence[str]) -> str:
    """A valid record with a few random insertions, deletions and duplications."""
    text = draw(st.sampled_from(list(seeds)))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        op = draw(st.sampled_from(["insert", "delete", "duplicate", "replace", "truncate"]))
        at = draw(st.integers(min_value=0, max_value=len(text)))
        if op == "insert":
            text = text[:at] + draw(st.text(alphabet=_NOISE, min_size=1, max_size=3)) + text[at:]
        elif op == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 4)) :]
        elif op == "duplicate":
            text = text[:at] + text[at : at + draw(st.integers(1, 12))] + text[at:]
        elif op == "replace" and at < len(text):
            text = text[:at] + draw(st.sampled_from(_NOISE)) + text[at + 1 :]
        else:
            text = text[:at]
    return text


def record_texts(seeds: Sequence[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.text(), mutated(seeds))


def assert_problems_well_formed(
    text: str, problems: tuple[Problem, ...], parser: str, *, lines: bool = False
) -> None:
    """Every problem has a catalogued code of this parser and points into the input."""
    allowed = set(CODES_BY_PARSER[parser])
    limit = text.count("\n") + 1 if lines else len(text)
    for problem in problems:
        assert isinstance(problem, Problem)
        assert problem.code in allowed, problem
        assert problem.code in PROBLEM_INFO
        assert problem.message
        assert problem.token is None or isinstance(problem.token, str)
        if problem.position is not None:
            low = 1 if lines else 0
            assert low <= problem.position <= limit, (problem, limit)


def codes(problems: tuple[Problem, ...]) -> list[str]:
    return [problem.code for problem in problems]
