"""SPF macro strings and domain-specs (RFC 7208 §7.1, §4.8), checked without expanding them.

Kept apart from the term parser because the same checks apply to `exp=` explanation
text fetched later, where the letters c, r and t become legal.

The grammar, RFC 7208 §7.1 (collected in §12)::

    domain-spec      = macro-string domain-end
    domain-end       = ( "." toplabel [ "." ] ) / macro-expand
    toplabel         = ( *alphanum ALPHA *alphanum ) /
                       ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
    alphanum         = ALPHA / DIGIT
    explain-string   = *( macro-string / SP )
    macro-string     = *( macro-expand / macro-literal )
    macro-expand     = ( "%{" macro-letter transformers *delimiter "}" )
                       / "%%" / "%_" / "%-"
    macro-literal    = %x21-24 / %x26-7E
    macro-letter     = "s" / "l" / "o" / "d" / "i" / "p" / "h" /
                       "c" / "r" / "t" / "v"
    transformers     = *DIGIT [ "r" ]
    delimiter        = "." / "-" / "+" / "," / "/" / "_" / "="

ABNF literals are case-insensitive (RFC 5234 §2.3), so `%{D}` and `%{ir}` / `%{iR}` are
the same letter and transformer (an upper-case letter asks for URL escaping, §7.3).
"""

from __future__ import annotations

import re

from assessment.records.problem import Problem, SpfCode

_MACRO_BODY = re.compile(r"([A-Za-z])([0-9]*)([rR]?)([.\-+,/_=]*)")
_RECORD_LETTERS = frozenset("slodiphv")
_EXP_LETTERS = frozenset("crt")
_DELIMITERS = frozenset(".-+,/_=")
# toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
# is the same set as: letters, digits and hyphens, starting and ending with a letter or digit,
# and not all digits. Checked in that form: the ABNF's own shape as a regex,
# `[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*`, backtracks quadratically on a long label that fails
# (a 200k-letter label took 11 minutes; found by bench/fuzz_parsers.py).
_LDH_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?")


def is_toplabel(label: str) -> bool:
    return _LDH_LABEL.fullmatch(label) is not None and not label.isdigit()


# Characters outside macro-literal (%x21-24 / %x26-7E) other than `%` itself.
_NOT_LITERAL = re.compile(r"[^\x21-\x7e]")
_NOT_EXPLAIN = re.compile(r"[^\x20-\x7e]")


def macro_problems(
    text: str, position: int, *, explanation: bool = False, characters: bool = True
) -> list[Problem]:
    """Syntax problems in an SPF macro-string (or explain-string when `explanation`).

    §7.2 allows c, r and t only in explanation text, so they are errors in the record.
    `characters=False` leaves characters outside macro-literal to the caller (the record
    parser reports control and non-ASCII characters once, for the whole record).
    """
    return _scan(text, position, explanation=explanation, characters=characters)[0]


def _scan(
    text: str, position: int, *, explanation: bool, characters: bool
) -> tuple[list[Problem], int]:
    """Problems, and the offset just past the last well-formed macro-expand (0 if none)."""
    problems: list[Problem] = []
    if characters:
        pattern = _NOT_EXPLAIN if explanation else _NOT_LITERAL
        for bad in pattern.finditer(text):
            char = bad.group()
            code = SpfCode.NON_ASCII if ord(char) > 0x7F else SpfCode.CONTROL_CHARACTER
            problems.append(
                Problem(
                    code,
                    f"character {describe_character(char)} is not allowed in an SPF macro-string "
                    "(RFC 7208 §7.1: macro-literal is %x21-24 / %x26-7E)",
                    position + bad.start(),
                    char,
                )
            )
    last_expand = 0
    index = text.find("%")
    while index >= 0:
        here = position + index
        follower = text[index + 1 : index + 2]
        if follower in ("%", "_", "-"):
            index += 2
            last_expand = index
            index = text.find("%", index)
            continue
        if follower != "{":
            problems.append(
                Problem(
                    SpfCode.BAD_MACRO,
                    "lone `%`: write `%%` for a literal percent sign (a macro-expand is "
                    "`%{...}`, `%%`, `%_` or `%-`)",
                    here,
                    text[index : index + 2],
                )
            )
            index = text.find("%", index + 1)
            continue
        close = text.find("}", index + 2)
        if close < 0:
            problems.append(
                Problem(SpfCode.BAD_MACRO, "unterminated `%{` macro", here, text[index:])
            )
            break
        token = text[index : close + 1]
        problem = _macro_expand_problem(token, text[index + 2 : close], here, explanation)
        if problem is None or problem.code in (SpfCode.PTR_MACRO, SpfCode.MACRO_EXP_ONLY):
            last_expand = close + 1
        if problem is not None:
            problems.append(problem)
        index = text.find("%", close + 1)
    return problems, last_expand


def _macro_expand_problem(token: str, inner: str, here: int, explanation: bool) -> Problem | None:
    """The problem with one `%{...}` (None when it is well formed and plain)."""
    body = _MACRO_BODY.fullmatch(inner)
    if body is None:
        return Problem(SpfCode.BAD_MACRO, f"`{token}`: {_diagnose(inner)}", here, token)
    letter = body.group(1).lower()
    digits = body.group(2)
    if letter in _EXP_LETTERS and not explanation:
        return Problem(
            SpfCode.MACRO_EXP_ONLY,
            f"`{token}`: macro letter `{letter}` is only allowed in explanation text",
            here,
            token,
        )
    if letter not in _RECORD_LETTERS and letter not in _EXP_LETTERS:
        return Problem(
            SpfCode.BAD_MACRO,
            f"`{token}`: `{body.group(1)}` is not a macro letter (s l o d i p h c r t v)",
            here,
            token,
        )
    # §7.3: "If a DIGIT is specified, the value MUST be nonzero." Compared as text:
    # int() of a few thousand digits raises ValueError (Python's digit limit).
    if digits and not digits.strip("0"):
        return Problem(
            SpfCode.BAD_MACRO,
            f"`{token}`: a digit transformer must be non-zero",
            here,
            token,
        )
    if letter == "p":
        return Problem(
            SpfCode.PTR_MACRO,
            f"`{token}` needs reverse DNS lookups like the `ptr` mechanism",
            here,
            token,
        )
    return None


def _diagnose(inner: str) -> str:
    """Which part of `macro-letter transformers *delimiter` the text inside `%{}` breaks."""
    if not inner:
        return "empty macro: a macro letter is required"
    if not ("a" <= inner[0].lower() <= "z"):
        return f"`{inner[0]}` is not a macro letter (s l o d i p h c r t v)"
    index = 1
    while index < len(inner) and inner[index] in "0123456789":
        index += 1
    if index < len(inner) and inner[index] in "rR":
        index += 1
    while index < len(inner) and inner[index] in _DELIMITERS:
        index += 1
    char = inner[index]
    if char in "0123456789rR":
        return (
            f"`{char}` after the delimiters: the order is letter, digits, `r`, then "
            "delimiters (. - + , / _ =)"
        )
    return f"`{char}` is neither a transformer (digits, `r`) nor a delimiter (. - + , / _ =)"


def domain_spec_problems(spec: str, position: int, *, characters: bool = True) -> list[Problem]:
    """Problems with a domain-spec as written (RFC 7208 §7.1 ABNF, §4.3, §4.8).

    The ABNF (module docstring) requires the spec to end in a macro-expand or in `.` and a
    top-level label (optionally followed by `.`). Label and length limits (RFC 1035 via
    §4.3) are checked where the text fixes them: on literal names, and on empty labels
    (`..`) in the literal parts of a name with macros.
    """
    if not spec:
        return [Problem(SpfCode.MISSING_ARGUMENT, "empty domain-spec", position, spec)]
    problems, last_expand = _scan(spec, position, explanation=False, characters=characters)
    if last_expand == len(spec):
        return problems  # domain-end = macro-expand
    if last_expand == 0 and "%" not in spec:
        reason = _literal_domain_error(spec)
        if reason is not None:
            problems.append(Problem(SpfCode.BAD_DOMAIN_SPEC, f"`{spec}`: {reason}", position, spec))
        return problems
    if not _ends_in_toplabel(spec[last_expand:]):
        problems.append(
            Problem(
                SpfCode.BAD_DOMAIN_SPEC,
                f"`{spec}` must end in a macro or in `.` and a top-level label "
                "(RFC 7208 §7.1 domain-end)",
                position,
                spec,
            )
        )
    elif spec.startswith(".") or ".." in spec:
        problems.append(
            Problem(
                SpfCode.BAD_DOMAIN_SPEC,
                f"`{spec}`: empty label (two dots in a row, or a leading dot)",
                position,
                spec,
            )
        )
    return problems


def _ends_in_toplabel(tail: str) -> bool:
    """Whether literal text ends in domain-end's first form, `"." toplabel [ "." ]`."""
    name = tail[:-1] if tail.endswith(".") else tail
    dot = name.rfind(".")
    return dot >= 0 and is_toplabel(name[dot + 1 :])


def _literal_domain_error(spec: str) -> str | None:
    name = spec[:-1] if spec.endswith(".") else spec
    if len(name) > 253:
        return f"name is {len(name)} characters, over 253"
    labels = name.split(".")
    if len(labels) < 2:
        return "a single-label name is not a valid target (domain-end needs `.` and a label)"
    for label in labels:
        if not label:
            return "empty label (two dots in a row, or a leading dot)"
        if len(label) > 63:
            return f"label `{label[:20]}...` is over 63 characters"
    top = labels[-1]
    if not is_toplabel(top):
        if top.isdigit():
            return "looks like an IP address; use `ip4:`/`ip6:` for addresses"
        return f"top-level label `{top}` is not letters, digits and inner hyphens"
    return None


_CONTROL_NAMES = {"\t": "tab", "\r": "carriage return", "\n": "line feed", "\x00": "NUL"}


def describe_character(char: str) -> str:
    """`U+0009 (tab)`, `'–' (U+2013)`: a character as a person can find it in a record."""
    name = _CONTROL_NAMES.get(char)
    code = f"U+{ord(char):04X}"
    return f"{code} ({name})" if name else f"{char!r} ({code})"
