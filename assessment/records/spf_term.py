"""One SPF term: a directive or a modifier (RFC 7208 §4.6.1, §5, §6).

Split from `spf` so the record module holds whole-record rules and this one holds the
per-term grammar.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from enum import StrEnum

from assessment.records.problem import Problem, ProblemLevel, SpfCode
from assessment.records.spf_macro import domain_spec_problems, macro_problems
from assessment.records.txt import near_miss

MECHANISMS = ("all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists")
KNOWN_MODIFIERS = ("redirect", "exp")
_MODIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
_CIDR = re.compile(r"(?:/([0-9]+))?(?://([0-9]+))?")
_PREFIX = re.compile(r"0|[1-9][0-9]{0,2}")
_CIDR_CHARS = frozenset("/0123456789")
_CUT = re.compile(r"[:/=]")
_OUTSIDE_ASCII = re.compile(r"[^\x21-\x7e]")


class TermKind(StrEnum):
    MECHANISM = "mechanism"
    MODIFIER = "modifier"


class Qualifier(StrEnum):
    PASS = "+"  # noqa: S105
    FAIL = "-"
    SOFTFAIL = "~"
    NEUTRAL = "?"


@dataclass(frozen=True)
class SpfTerm:
    """One directive or modifier as written.

    `name` is lower-cased (mechanism or modifier name, or the unknown name as written);
    `value` is the domain-spec, the network address text (without prefix) or the modifier
    value, None when absent. `qualifier` is None for modifiers.
    """

    kind: TermKind
    name: str
    qualifier: Qualifier | None
    value: str | None
    cidr4: int | None
    cidr6: int | None
    position: int
    raw: str
    valid: bool = True

    @property
    def is_mechanism(self) -> bool:
        return self.kind is TermKind.MECHANISM


def parse_term(raw: str, position: int) -> tuple[SpfTerm, list[Problem]]:
    """One space-free term of a record, at `position` in the record text.

    ::

        directive        = [ qualifier ] mechanism
        modifier         = redirect / explanation / unknown-modifier
        unknown-modifier = name "=" macro-string
        name             = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )

    A term whose name ends at `=` (before any `:` or `/`) and has no qualifier is a
    modifier; anything else is a directive. Control and non-ASCII characters are the
    record's to report (once, with their position); here they only make the term invalid.
    """
    problems: list[Problem] = []
    qualifier: Qualifier | None = None
    body = raw
    if raw[0] in "+-~?":
        qualifier = Qualifier(raw[0])
        body = raw[1:]
    cut = _CUT.search(body)
    name = body[: cut.start()] if cut else body
    delimiter = cut.group() if cut else ""
    rest = body[cut.start() :] if cut else ""
    if delimiter == "=" and qualifier is None:
        return _parse_modifier(raw, name, rest[1:], position, problems)
    lowered = name.lower()
    if lowered not in MECHANISMS:
        guess = near_miss(name, MECHANISMS)
        if lowered == "ip":
            guess = "ip4"
        hint = f"; did you mean `{guess}`?" if guess and guess != lowered else ""
        extra = "; modifiers take no qualifier" if delimiter == "=" else ""
        problems.append(
            Problem(
                SpfCode.UNKNOWN_MECHANISM,
                f"unknown mechanism `{name}` in `{raw}`{hint}{extra}",
                position,
                raw,
            )
        )
        return _term(TermKind.MECHANISM, name, qualifier, rest or None, raw, position, problems)
    term_qualifier = qualifier or Qualifier.PASS
    arg_position = position + (len(raw) - len(rest))
    if lowered == "all":
        if rest:
            problems.append(_unexpected(raw, position))
        return _term(TermKind.MECHANISM, "all", term_qualifier, None, raw, position, problems)
    if lowered in ("ip4", "ip6"):
        return _parse_ip(raw, lowered, term_qualifier, rest, arg_position, position, problems)
    spec: str | None = None
    cidr_text = ""
    if rest.startswith(":"):
        spec, cidr_text = _split_domain_cidr(rest[1:])
        problems.extend(domain_spec_problems(spec, arg_position + 1, characters=False))
    else:
        cidr_text = rest
    if lowered in ("include", "exists") and spec is None:
        problems.append(
            Problem(
                SpfCode.MISSING_ARGUMENT,
                f"`{lowered}` needs `:` and a domain, found `{raw}`",
                position,
                raw,
            )
        )
    cidr4: int | None = None
    cidr6: int | None = None
    if cidr_text:
        cidr_position = position + len(raw) - len(cidr_text)
        if lowered in ("a", "mx"):
            cidr4, cidr6 = _dual_cidr(cidr_text, raw, cidr_position, problems)
        else:
            problems.append(
                Problem(
                    SpfCode.UNEXPECTED_ARGUMENT,
                    f"`{raw}`: `{lowered}` takes no CIDR length",
                    cidr_position,
                    cidr_text,
                )
            )
    if lowered == "ptr":
        problems.append(
            Problem(
                SpfCode.PTR_MECHANISM,
                "`ptr` is slow and unreliable; RFC 7208 §5.5 says do not publish it",
                position,
                raw,
            )
        )
    term = SpfTerm(
        TermKind.MECHANISM,
        lowered,
        term_qualifier,
        spec,
        cidr4,
        cidr6,
        position,
        raw,
        _valid(raw, problems),
    )
    return term, problems


def _parse_modifier(
    raw: str, name: str, value: str, position: int, problems: list[Problem]
) -> tuple[SpfTerm, list[Problem]]:
    lowered = name.lower()
    value_position = position + len(name) + 1
    if _MODIFIER.fullmatch(name) is None:
        problems.append(
            Problem(
                SpfCode.BAD_MODIFIER_NAME,
                f"`{name}` is not a valid modifier name in `{raw}`",
                position,
                raw,
            )
        )
    elif lowered in KNOWN_MODIFIERS:
        if value:
            problems.extend(domain_spec_problems(value, value_position, characters=False))
        else:
            problems.append(
                Problem(SpfCode.MISSING_ARGUMENT, f"`{lowered}=` needs a domain", position, raw)
            )
    else:
        problems.extend(macro_problems(value, value_position, characters=False))
        guess = near_miss(name, KNOWN_MODIFIERS + MECHANISMS)
        if guess is not None and len(lowered) > 2:
            kind = "mechanism" if guess in MECHANISMS else "modifier"
            written = f"`{guess}:`" if kind == "mechanism" else f"`{guess}=`"
            problems.append(
                Problem(
                    SpfCode.MODIFIER_TYPO,
                    f"unknown modifier `{name}=` is ignored; did you mean the {kind} {written}?",
                    position,
                    raw,
                )
            )
        else:
            problems.append(
                Problem(
                    SpfCode.UNKNOWN_MODIFIER,
                    f"unknown modifier `{name}=` is ignored by verifiers",
                    position,
                    raw,
                )
            )
    return _term(TermKind.MODIFIER, lowered, None, value, raw, position, problems)


def _parse_ip(
    raw: str,
    name: str,
    qualifier: Qualifier,
    rest: str,
    arg_position: int,
    position: int,
    problems: list[Problem],
) -> tuple[SpfTerm, list[Problem]]:
    if not rest.startswith(":") or len(rest) == 1:
        problems.append(
            Problem(SpfCode.MISSING_ARGUMENT, f"`{name}` needs `:` and an address", position, raw)
        )
        return _term(TermKind.MECHANISM, name, qualifier, None, raw, position, problems)
    network, slash, prefix_text = rest[1:].partition("/")
    net_position = arg_position + 1
    six = name == "ip6"
    bad_code = SpfCode.BAD_IP6 if six else SpfCode.BAD_IP4
    limit = 128 if six else 32
    address: ipaddress.IPv4Address | ipaddress.IPv6Address | None = None
    try:
        if "%" in network:
            raise ValueError("zone index not allowed")
        address = ipaddress.IPv6Address(network) if six else ipaddress.IPv4Address(network)
    except ValueError:
        try:
            other = ipaddress.ip_address(network) if "%" not in network else None
        except ValueError:
            other = None
        if other is not None:
            problems.append(
                Problem(
                    SpfCode.IP_VERSION_MISMATCH,
                    f"`{network}` is an IPv{other.version} address in `{name}:`; "
                    f"use `ip{other.version}:`",
                    net_position,
                    network,
                )
            )
        else:
            hint = (
                "; hostnames belong in `a:` or `include:`"
                if re.search(r"[A-Za-z]{2}", network) and not six
                else ""
            )
            problems.append(
                Problem(
                    bad_code,
                    f"`{network}` is not a valid IPv{6 if six else 4} address{hint}",
                    net_position,
                    network,
                )
            )
    prefix: int | None = None
    if slash:
        prefix_position = net_position + len(network)
        if _PREFIX.fullmatch(prefix_text) is None or int(prefix_text) > limit:
            problems.append(
                Problem(
                    SpfCode.BAD_CIDR,
                    f"prefix `/{prefix_text}` in `{raw}` must be 0 to {limit}, no leading zeros",
                    prefix_position,
                    "/" + prefix_text,
                )
            )
        else:
            prefix = int(prefix_text)
            if prefix == 0:
                problems.append(
                    Problem(
                        SpfCode.IP_ALL_ADDRESSES,
                        f"`{raw}` matches every IPv{6 if six else 4} address",
                        position,
                        raw,
                    )
                )
            elif address is not None:
                net = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
                if net.network_address != address:
                    problems.append(
                        Problem(
                            SpfCode.IP_HOST_BITS,
                            f"`{raw}` has host bits set; it means {net}",
                            net_position,
                            network,
                        )
                    )
    term = SpfTerm(
        TermKind.MECHANISM,
        name,
        qualifier,
        network,
        None if six else prefix,
        prefix if six else None,
        position,
        raw,
        _valid(raw, problems),
    )
    return term, problems


def _split_domain_cidr(arg: str) -> tuple[str, str]:
    """Split `domain-spec [ dual-cidr-length ]` (RFC 7208 §5.3, §5.4).

    A domain-spec may itself hold `/` and digits (macro-literal is %x21-24 / %x26-7E, so
    `foo:bar/baz.example.com` is one domain-spec: RFC 7208 test suite, a-colon-domain),
    but it ends in a top-level label, `.`, or a macro-expand, never in `/` or in digits
    after a `/`. So the CIDR part is what follows the first `/` of the trailing run of
    `/` and digits, and nothing else can be.
    """
    end = len(arg)
    start = end
    while start and arg[start - 1] in _CIDR_CHARS:
        start -= 1
    slash = arg.find("/", start)
    if slash < 0:
        return arg, ""
    return arg[:slash], arg[slash:]


def _dual_cidr(
    text: str, raw: str, position: int, problems: list[Problem]
) -> tuple[int | None, int | None]:
    match = _CIDR.fullmatch(text)
    bad = match is None
    values: list[int | None] = [None, None]
    if match is not None:
        for slot, (group, limit) in enumerate(zip(match.groups(), (32, 128), strict=True)):
            if group is None:
                continue
            if _PREFIX.fullmatch(group) is None or int(group) > limit:
                bad = True
            else:
                values[slot] = int(group)
    if bad:
        problems.append(
            Problem(
                SpfCode.BAD_CIDR,
                f"`{text}` in `{raw}` is not `/0-32` and/or `//0-128` without leading zeros",
                position,
                text,
            )
        )
    return values[0], values[1]


def _unexpected(raw: str, position: int) -> Problem:
    return Problem(
        SpfCode.UNEXPECTED_ARGUMENT,
        f"`{raw}` has an argument this mechanism does not take",
        position,
        raw,
    )


def has_error(problems: list[Problem]) -> bool:
    return any(p.level is ProblemLevel.ERROR for p in problems)


def _valid(raw: str, problems: list[Problem]) -> bool:
    """No error, and no character outside %x21-7E (the record reports those)."""
    return not has_error(problems) and _OUTSIDE_ASCII.search(raw) is None


def _term(
    kind: TermKind,
    name: str,
    qualifier: Qualifier | None,
    value: str | None,
    raw: str,
    position: int,
    problems: list[Problem],
) -> tuple[SpfTerm, list[Problem]]:
    valid = _valid(raw, problems)
    return SpfTerm(kind, name, qualifier, value, None, None, position, raw, valid), problems
