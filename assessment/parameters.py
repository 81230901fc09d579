"""The notebooks' parameters: their names and types, and the one check every notebook runs
right after its `parameters` cell.

Papermill only warns when a parameter name is not in the notebook (the notebook then runs
with the default), and `papermill -p sources /some/dir` hands over a string where a list is
expected (a walk over its characters, `/` first). So each notebook calls
`check_parameters(name, globals())`, and the runner calls `parameter_problems` before
papermill starts: a misspelt name or a wrong type stops the notebook with one clear message.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from difflib import get_close_matches
from enum import StrEnum
from typing import Any, Final


class Kind(StrEnum):
    TEXT = "a string"
    TEXT_LIST = "a list of strings"
    DOMAIN_LIST = "a list of domain names"
    JSON_OBJECT = "a JSON object (a dict)"
    COUNT = "a positive whole number"
    ISO_DATE = "an ISO date such as 2025-11-22, or empty"
    FLAG = "True or False"


@dataclass(frozen=True)
class Parameter:
    name: str
    kind: Kind
    required: bool = False
    """Must be non-empty: the notebook's default is a placeholder, not a usable value."""
    example: str = ""


NOTEBOOK_PARAMETERS: Final[Mapping[str, tuple[Parameter, ...]]] = {
    "assess.ipynb": (
        Parameter("client", Kind.TEXT, required=True, example='"Acme Dental"'),
        Parameter("domains", Kind.DOMAIN_LIST, required=True, example='["acme-dental.example"]'),
        Parameter("dkim_selectors", Kind.TEXT_LIST, example='["selector1"]'),
        Parameter("network", Kind.JSON_OBJECT, example="{}"),
        Parameter("out_dir", Kind.TEXT),
        Parameter("data_dir", Kind.TEXT),
    ),
    "tlsrpt.ipynb": (
        Parameter("client", Kind.TEXT, required=True, example='"Acme Dental"'),
        Parameter("sources", Kind.TEXT_LIST, example='["/home/me/Mail/tlsrpt"]'),
        Parameter("window_days", Kind.COUNT, example="14"),
        Parameter("as_of", Kind.ISO_DATE),
        Parameter("data_dir", Kind.TEXT),
        Parameter("run_dir", Kind.TEXT),
        Parameter("interactive", Kind.FLAG, example="False"),
    ),
    "dmarc.ipynb": (
        Parameter("client", Kind.TEXT, required=True, example='"Acme Dental"'),
        Parameter("sources", Kind.TEXT_LIST, example='["/home/me/Mail/dmarc"]'),
        Parameter("as_of", Kind.ISO_DATE),
        Parameter("data_dir", Kind.TEXT),
        Parameter("run_dir", Kind.TEXT),
        Parameter("interactive", Kind.FLAG, example="False"),
    ),
    "report.ipynb": (
        Parameter("run_dir", Kind.TEXT, required=True, example='"/path/to/runs/20250101-120000"'),
        Parameter("as_of", Kind.ISO_DATE),
    ),
    # Every client of a data folder at once: findings, grades, stores (JupyterLab).
    "explore.ipynb": (
        Parameter("data_dir", Kind.TEXT),
        Parameter("interactive", Kind.FLAG, example="False"),
    ),
}
"""Every shipped notebook's parameters, in the order of its `parameters` cell."""

# The comment papermill puts on the first line of the cell it injects after `parameters`.
_INJECTED_HEADER: Final = "# Parameters"


class ParameterError(ValueError):
    """A notebook parameter is unknown, missing or of the wrong type; the message says which."""


def _spec(notebook: str) -> tuple[Parameter, ...]:
    name = notebook if notebook.endswith(".ipynb") else f"{notebook}.ipynb"
    try:
        return NOTEBOOK_PARAMETERS[name]
    except KeyError:
        known = ", ".join(sorted(NOTEBOOK_PARAMETERS))
        raise ParameterError(f"no notebook {notebook!r}; the kit's notebooks: {known}") from None


def _type_problem(parameter: Parameter, value: Any) -> str:
    kind = parameter.kind
    if kind is Kind.TEXT or kind is Kind.ISO_DATE:
        ok = isinstance(value, str)
    elif kind is Kind.TEXT_LIST or kind is Kind.DOMAIN_LIST:
        ok = isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
    elif kind is Kind.JSON_OBJECT:
        ok = isinstance(value, dict)
    elif kind is Kind.FLAG:
        ok = isinstance(value, bool)
    else:
        ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
    if not ok:
        hint = ""
        if kind in (Kind.TEXT_LIST, Kind.DOMAIN_LIST) and isinstance(value, str):
            hint = (
                f" (with papermill, give a list: -y '{parameter.name}: [{value}]', "
                "not -p, which passes a string)"
            )
        return f"{parameter.name} must be {kind.value}, not {_shown(value)}{hint}"
    if kind is Kind.ISO_DATE and value.strip():
        try:
            date.fromisoformat(value.strip())
        except ValueError:
            return f"{parameter.name} must be {kind.value}, not {value!r}"
    if parameter.required and not (value.strip() if isinstance(value, str) else value):
        example = f", e.g. {parameter.example}" if parameter.example else ""
        return f"{parameter.name} must be given{example}"
    if kind in (Kind.TEXT_LIST, Kind.DOMAIN_LIST) and any(not v.strip() for v in value):
        return f"{parameter.name} holds an empty string"
    if kind is Kind.DOMAIN_LIST:
        from assessment.names import DomainName, DomainNameError

        for text in value:
            try:
                DomainName.parse(text)
            except DomainNameError as exc:
                return f"{parameter.name}: {exc}"
    return ""


def _shown(value: Any) -> str:
    text = repr(value)
    short = text if len(text) <= 60 else text[:57] + "..."
    return f"{type(value).__name__} {short}"


def parameter_problems(notebook: str, values: Mapping[str, Any]) -> list[str]:
    """Everything wrong with `values` for `notebook`: unknown names, wrong types, missing
    required values. An empty list means papermill may run it."""
    spec = _spec(notebook)
    known = {p.name: p for p in spec}
    problems = []
    for name in values:
        if name not in known:
            close = get_close_matches(name, known, n=1)
            guess = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(
                f"unknown parameter {name!r}{guess}; it takes: {', '.join(p.name for p in spec)}"
            )
    for parameter in spec:
        if parameter.name in values:
            problem = _type_problem(parameter, values[parameter.name])
            if problem:
                problems.append(problem)
    return problems


def injected_names(history: Sequence[str]) -> list[str]:
    """Names assigned by papermill's injected-parameters cell in a kernel's input history
    (IPython's `In`): what the caller asked for, whether or not the notebook has it."""
    names: list[str] = []
    for source in history:
        if not isinstance(source, str) or not source.lstrip().startswith(_INJECTED_HEADER):
            continue
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            names += [t.id for t in targets if isinstance(t, ast.Name)]
    return names


def check_parameters(notebook: str, namespace: Mapping[str, Any]) -> None:
    """Stop the notebook with one `ParameterError` when its parameters are not usable.

    Call it right after the `parameters` cell with ``globals()``. It checks the type of
    every parameter (a string where a list is expected is an error) and that required ones
    are given; run under papermill, it also finds names papermill was asked to set that
    the notebook does not have (papermill itself only logs a warning for those).
    """
    spec = _spec(notebook)
    values: dict[str, Any] = {}
    missing = []
    for parameter in spec:
        if parameter.name in namespace:
            values[parameter.name] = namespace[parameter.name]
        else:
            missing.append(parameter.name)
    history = namespace.get("In")
    for name in injected_names(history if isinstance(history, list) else []):
        if name not in values:
            values[name] = namespace.get(name)
    problems = [f"{name} is not set" for name in missing]
    problems += parameter_problems(notebook, values)
    if problems:
        title = notebook if notebook.endswith(".ipynb") else f"{notebook}.ipynb"
        raise ParameterError(f"{title}: " + "; ".join(problems))
