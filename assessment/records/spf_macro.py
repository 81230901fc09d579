"""SPF macro strings and domain-specs (RFC 7208 §7.1, §4.8), checked without expanding them.

Kept apart from the term parser because the same checks apply to `exp=` explanation
text fetched later, where the letters c, r and t become legal.
"""

from __future__ import annotations

import re

from assessment.records.problem import Problem, SpfCode

_MACRO_BODY = re.compile(r"([A-Za-z])([0-9]*)([rR]?)([.\-+,/_=]*)")
_RECORD_LETTERS = frozenset("slodiphv")
_EXP_LETTERS = frozenset("crt")
# toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
_TOPLABEL = re.compile(
    r"[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9]", re.ASCII
)


def macro_problems(text: str, position: int, *, explanation: bool = False) -> list[Problem]:
    """Syntax problems in an SPF macro-string (or explain-string when `explanation`).

    RFC 7208 §7.1::

        macro-string     = *( macro-expand / macro-literal )
        macro-expand     = ( "%{" macro-letter transformers *delimiter "}" )
                           / "%%" / "%_" / "%-"
        macro-literal    = %x21-24 / %x26-7E
        macro-letter     = "s" / "l" / "o" / "d" / "i" / "p" / "h" /
                           "c" / "r" / "t" / "v"
        transformers     = *DIGIT [ "r" ]
        delimiter        = "." / "-" / "+" / "," / "/" / "_" / "="
        explain-string   = *( macro-string / SP )

    §7.3 allows c, r and t only in explanation text, so they are errors in the record.
    """
    problems: list[Problem] = []
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        here = position + index
        if char != "%":
            if not (0x21 <= ord(char) <= 0x7E) and not (explanation and char == " "):
                problems.append(
                    Problem(
                        SpfCode.NON_ASCII,
                        f"character {char!r} is not allowed in an SPF macro-string",
                        here,
                        char,
                    )
                )
            index += 1
            continue
        follower = text[index + 1] if index + 1 < length else ""
        if follower in ("%", "_", "-"):
            index += 2
            continue
        if follower != "{":
            problems.append(
                Problem(
                    SpfCode.BAD_MACRO,
                    "lone `%`: write `%%` for a literal percent sign",
                    here,
                    text[index : index + 2],
                )
            )
            index += 1
            continue
        close = text.find("}", index + 2)
        if close < 0:
            problems.append(
                Problem(SpfCode.BAD_MACRO, "unterminated `%{` macro", here, text[index:])
            )
            break
        token = text[index : close + 1]
        body = _MACRO_BODY.fullmatch(text[index + 2 : close])
        if body is None:
            problems.append(
                Problem(
                    SpfCode.BAD_MACRO,
                    f"`{token}`: expected a letter, optional digits and `r`, then delimiters",
                    here,
                    token,
                )
            )
        else:
            letter = body.group(1).lower()
            digits = body.group(2)
            if letter in _EXP_LETTERS and not explanation:
                problems.append(
                    Problem(
                        SpfCode.MACRO_EXP_ONLY,
                        f"`{token}`: macro letter `{letter}` is only allowed in explanation text",
                        here,
                        token,
                    )
                )
            elif letter not in _RECORD_LETTERS and letter not in _EXP_LETTERS:
                problems.append(
                    Problem(
                        SpfCode.BAD_MACRO,
                        f"`{token}`: `{body.group(1)}` is not a macro letter (s l o d i p h "
                        "c r t v)",
                        here,
                        token,
                    )
                )
            elif letter == "p":
                problems.append(
                    Problem(
                        SpfCode.PTR_MACRO,
                        f"`{token}` needs reverse DNS lookups like the `ptr` mechanism",
                        here,
                        token,
                    )
                )
            if digits and int(digits) == 0:
                problems.append(
                    Problem(
                        SpfCode.BAD_MACRO,
                        f"`{token}`: a digit transformer must be non-zero",
                        here,
                        token,
                    )
                )
        index = close + 1
    return problems


def domain_spec_problems(spec: str, position: int) -> list[Problem]:
    """Problems with a domain-spec as written (RFC 7208 §4.6.1 ABNF, §4.8, §7.1).

    ::

        domain-spec      = macro-string domain-end
        domain-end       = ( "." toplabel [ "." ] ) / macro-expand
        toplabel         = ( *alphanum ALPHA *alphanum ) /
                           ( 1*alphanum "-" *( alphanum / "-" ) alphanum )

    Label and length limits (RFC 1035 via §4.3) can only be checked when no macro is
    present: after expansion they are the evaluator's business.
    """
    if not spec:
        return [Problem(SpfCode.MISSING_ARGUMENT, "empty domain-spec", position, spec)]
    problems = macro_problems(spec, position)
    if "%" in spec:
        if not re.search(r"(%\{[^}]*\}|%[%_-])$", spec):
            tail = spec[:-1] if spec.endswith(".") else spec
            _, dot, top = tail.rpartition(".")
            if not dot or _TOPLABEL.fullmatch(top) is None:
                problems.append(
                    Problem(
                        SpfCode.BAD_DOMAIN_SPEC,
                        f"`{spec}` must end in a macro or in `.` and a top-level label",
                        position,
                        spec,
                    )
                )
        return problems
    reason = _literal_domain_error(spec)
    if reason is not None:
        problems.append(Problem(SpfCode.BAD_DOMAIN_SPEC, f"`{spec}`: {reason}", position, spec))
    return problems


def _literal_domain_error(spec: str) -> str | None:
    name = spec[:-1] if spec.endswith(".") else spec
    if len(name) > 253:
        return f"name is {len(name)} characters, over 253"
    labels = name.split(".")
    if len(labels) < 2:
        return "a single-label name is not a valid target"
    for label in labels:
        if not label:
            return "empty label (two dots in a row, or a leading dot)"
        if len(label) > 63:
            return f"label `{label[:20]}...` is over 63 characters"
    top = labels[-1]
    if _TOPLABEL.fullmatch(top) is None:
        if top.isdigit():
            return "looks like an IP address; use `ip4:`/`ip6:` for addresses"
        return f"top-level label `{top}` is not letters, digits and inner hyphens"
    return None
