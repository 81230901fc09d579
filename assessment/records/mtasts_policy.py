"""MTA-STS policy files (RFC 8461 §3.2) and MX pattern matching (§4.1).

Verdicts model what a compliant sender does: keys and keywords are case-sensitive
(`%s` in the ABNF), and `*.` covers exactly one left-most label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from assessment.records.hostnames import wildcard_matches
from assessment.records.problem import Problem, ProblemLevel, StsPolicyCode, ordered
from assessment.records.txt import hostname_error, near_miss

MAX_AGE_LIMIT = 31557600
_POLICY_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")
# The value's trailing WSP is stripped after the match: `(.*?)[ \t]*` at the end of the
# pattern backtracked once per position over a long run of spaces (quadratic; the fuzzer's
# 200k-space policy line took minutes).
_POLICY_LINE = re.compile(r"([^:\s]*)(:)?[ \t]*(.*)")
_POLICY_KEYS = ("version", "mode", "max_age", "mx")


class StsMode(StrEnum):
    ENFORCE = "enforce"
    TESTING = "testing"
    NONE = "none"


@dataclass(frozen=True)
class MxPattern:
    pattern: str
    line: int
    """1-based line number in the policy body."""
    valid: bool

    @property
    def wildcard(self) -> bool:
        return self.pattern.startswith("*.")


@dataclass(frozen=True)
class StsPolicy:
    """A parsed policy body. Problem positions are 1-based line numbers."""

    text: str
    version: str | None
    mode: StsMode | None
    mx: tuple[MxPattern, ...]
    max_age: int | None
    """As written when it is 1*10 DIGIT, even above the 31557600 limit (flagged)."""
    extensions: tuple[tuple[str, str], ...]
    problems: tuple[Problem, ...]

    @property
    def valid(self) -> bool:
        return not any(p.level is ProblemLevel.ERROR for p in self.problems)

    def matches(self, host: str) -> bool:
        """Whether `host` matches a valid `mx` pattern (§4.1)."""
        return any(p.valid and mx_pattern_matches(p.pattern, host) for p in self.mx)


def parse_sts_policy(text: str) -> StsPolicy:
    """Parse a policy body, RFC 8461 §3.2. Problem positions are 1-based line numbers.

    ::

        sts-policy-record        = sts-policy-field *WSP
                                   *(sts-policy-term sts-policy-field *WSP)
                                   [sts-policy-term]
        sts-policy-field         = sts-policy-version / sts-policy-mode /
                                   sts-policy-max-age / sts-policy-mx /
                                   sts-policy-extension
        sts-policy-field-delim   = ":" *WSP
        sts-policy-version       = sts-policy-version-field sts-policy-field-delim
                                   sts-policy-version-value
        sts-policy-version-field = %s"version"
        sts-policy-version-value = %s"STSv1"
        sts-policy-mode          = sts-policy-mode-field sts-policy-field-delim
                                   sts-policy-mode-value
        sts-policy-mode-field    = %s"mode"
        sts-policy-mode-value    = %s"testing" / %s"enforce" / %s"none"
        sts-policy-mx            = sts-policy-mx-field sts-policy-field-delim
                                   sts-policy-mx-value
        sts-policy-mx-field      = %s"mx"
        sts-policy-mx-value      = ["*."] Domain
        sts-policy-max-age       = sts-policy-max-age-field sts-policy-field-delim
                                   sts-policy-max-age-value
        sts-policy-max-age-field = %s"max_age"
        sts-policy-max-age-value = 1*10(DIGIT)
        sts-policy-extension     = sts-policy-ext-name sts-policy-field-delim
                                   sts-policy-ext-value
        sts-policy-ext-name      = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
        sts-policy-term          = LF / CRLF
        sts-policy-ext-value     = sts-policy-vchar *(*WSP sts-policy-vchar)

    `max_age` is at most 31557600; `mx` is required unless the mode is `none`. Unknown
    keys are ignored; repeated `version`/`mode`/`max_age` keep the first. Never raises.
    """
    problems: list[Problem] = []
    body = text
    if body.startswith("\ufeff"):
        problems.append(
            Problem(StsPolicyCode.BOM, "byte order mark before the first key", 1, "\ufeff")
        )
        body = body[1:]
    if not body.strip():
        problems.append(Problem(StsPolicyCode.EMPTY, "the policy body is empty", None))
        return StsPolicy(text, None, None, (), None, (), ordered(problems))
    lines = body.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    first_key: str | None = None
    found: dict[str, tuple[str, int]] = {}
    mx: list[MxPattern] = []
    extensions: list[tuple[str, str]] = []
    for number, line in enumerate(lines, start=1):
        line = line.removesuffix("\r")
        if "\r" in line:
            problems.append(Problem(StsPolicyCode.BARE_CR, "bare CR inside the line", number, line))
            line = line.replace("\r", "")
        if not line.strip():
            problems.append(Problem(StsPolicyCode.BLANK_LINE, "blank line", number, line))
            continue
        match = _POLICY_LINE.fullmatch(line)
        key = match.group(1) if match else ""
        if match is None or not match.group(2) or _POLICY_KEY.fullmatch(key) is None:
            problems.append(
                Problem(StsPolicyCode.BAD_LINE, f"`{line[:60]}` is not `key: value`", number, line)
            )
            continue
        value = match.group(3).rstrip(" \t")
        if first_key is None:
            first_key = key
        if key == "mx":
            mx.append(_mx_pattern(value, number, problems))
            continue
        if key in _POLICY_KEYS:
            if key in found:
                problems.append(
                    Problem(
                        StsPolicyCode.DUPLICATE_KEY,
                        f"`{key}` repeated (first on line {found[key][1]}); the first is used",
                        number,
                        line,
                    )
                )
                continue
            found[key] = (value, number)
            continue
        extensions.append((key, value))
        if key.lower() in _POLICY_KEYS:
            problems.append(
                Problem(
                    StsPolicyCode.KEY_CASE,
                    f"`{key}` is not `{key.lower()}`: keys are case-sensitive, senders ignore it",
                    number,
                    line,
                )
            )
            continue
        guess = near_miss(key.replace("-", "_"), _POLICY_KEYS)
        if guess is not None:
            problems.append(
                Problem(
                    StsPolicyCode.KEY_TYPO,
                    f"unknown key `{key}` is ignored; did you mean `{guess}`?",
                    number,
                    line,
                )
            )
        else:
            problems.append(
                Problem(StsPolicyCode.UNKNOWN_KEY, f"unknown key `{key}` is ignored", number, line)
            )
    version = _policy_version(found.get("version"), first_key, problems)
    mode = _policy_mode(found.get("mode"), problems)
    max_age = _policy_max_age(found.get("max_age"), problems)
    if not mx and mode in (StsMode.ENFORCE, StsMode.TESTING):
        problems.append(
            Problem(
                StsPolicyCode.MISSING_MX,
                f"mode `{mode}` needs at least one `mx:` line",
                found["mode"][1],
                None,
            )
        )
    return StsPolicy(text, version, mode, tuple(mx), max_age, tuple(extensions), ordered(problems))


def _mx_pattern(value: str, number: int, problems: list[Problem]) -> MxPattern:
    reason = mx_pattern_error(value)
    if reason is not None:
        problems.append(Problem(StsPolicyCode.BAD_MX, f"`mx: {value}`: {reason}", number, value))
        return MxPattern(value, number, False)
    if value.endswith("."):
        problems.append(
            Problem(
                StsPolicyCode.MX_TRAILING_DOT,
                f"`mx: {value}` ends in a dot; write it without",
                number,
                value,
            )
        )
    return MxPattern(value, number, True)


def mx_pattern_error(pattern: str) -> str | None:
    """Why `pattern` is not `["*."] Domain` (§3.2), or None."""
    if not pattern:
        return "empty pattern"
    name = pattern[2:] if pattern.startswith("*.") else pattern
    if "*" in name:
        return "`*` is only allowed as the whole left-most label, as `*.`"
    looks_numeric = re.fullmatch(r"\[?[0-9a-fA-F:.]+\]?", name) is not None
    if looks_numeric and (":" in name or name.replace(".", "").isdigit()):
        return "an IP address is not a hostname"
    if any(ord(char) > 0x7E for char in name):
        return "non-ASCII name; use the A-label (xn--) form"
    return hostname_error(name)


def _policy_version(
    found: tuple[str, int] | None, first_key: str | None, problems: list[Problem]
) -> str | None:
    if found is None:
        problems.append(Problem(StsPolicyCode.MISSING_VERSION, "no `version:` line", None))
        return None
    value, number = found
    if value != "STSv1":
        problems.append(
            Problem(StsPolicyCode.BAD_VERSION, f"`version: {value}` must be `STSv1`", number, value)
        )
    if first_key != "version":
        problems.append(
            Problem(
                StsPolicyCode.VERSION_NOT_FIRST,
                "`version:` is not the first line; some senders expect it first",
                number,
                value,
            )
        )
    return value


def _policy_mode(found: tuple[str, int] | None, problems: list[Problem]) -> StsMode | None:
    if found is None:
        problems.append(Problem(StsPolicyCode.MISSING_MODE, "no `mode:` line", None))
        return None
    value, number = found
    try:
        return StsMode(value)
    except ValueError:
        hint = " (values are case-sensitive)" if value.lower() in set(StsMode) else ""
        problems.append(
            Problem(
                StsPolicyCode.BAD_MODE,
                f"`mode: {value}` is not enforce, testing or none{hint}",
                number,
                value,
            )
        )
        return None


def _policy_max_age(found: tuple[str, int] | None, problems: list[Problem]) -> int | None:
    if found is None:
        problems.append(Problem(StsPolicyCode.MISSING_MAX_AGE, "no `max_age:` line", None))
        return None
    value, number = found
    if not re.fullmatch(r"[0-9]{1,10}", value):
        problems.append(
            Problem(
                StsPolicyCode.BAD_MAX_AGE,
                f"`max_age: {value}` must be 1 to 10 digits (seconds)",
                number,
                value,
            )
        )
        return None
    seconds = int(value)
    if seconds > MAX_AGE_LIMIT:
        problems.append(
            Problem(
                StsPolicyCode.MAX_AGE_RANGE,
                f"`max_age: {seconds}` is over the {MAX_AGE_LIMIT}-second (one year) limit",
                number,
                value,
            )
        )
    return seconds


def mx_pattern_matches(pattern: str, host: str) -> bool:
    """Whether MX host `host` matches policy pattern `pattern`, RFC 8461 §4.1.

    Case-insensitive and trailing-dot insensitive, anchored on the whole name. A `*.`
    pattern stands for exactly one extra left-most label: `*.example.com` matches
    `mail.example.com` but neither `example.com` nor `a.b.example.com`. Anything else
    matches only itself. Invalid patterns match nothing.
    """
    if mx_pattern_error(pattern.lower().removesuffix(".")) is not None:
        return False
    return wildcard_matches(pattern, host)


def render_sts_policy(mode: StsMode | str, mx: tuple[str, ...] | list[str], max_age: int) -> str:
    """A canonical policy body (§3.2), CRLF line endings, `version` first.

    Raises ValueError for a mode, pattern or max_age the RFC does not allow: this builds
    what the consultant will tell the client to publish, so it must never be invalid.
    """
    mode_value = StsMode(mode)
    if not 0 <= max_age <= MAX_AGE_LIMIT:
        raise ValueError(f"max_age {max_age} is outside 0..{MAX_AGE_LIMIT}")
    patterns = [pattern.lower().removesuffix(".") for pattern in mx]
    for pattern in patterns:
        reason = mx_pattern_error(pattern)
        if reason is not None:
            raise ValueError(f"mx pattern {pattern!r}: {reason}")
    if not patterns and mode_value is not StsMode.NONE:
        raise ValueError(f"mode {mode_value} needs at least one mx pattern")
    lines = ["version: STSv1", f"mode: {mode_value}"]
    lines.extend(f"mx: {pattern}" for pattern in patterns)
    lines.append(f"max_age: {max_age}")
    return "".join(line + "\r\n" for line in lines)
