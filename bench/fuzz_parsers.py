"""Fuzzing every parser of hostile input, with figures.

Each parser ("target") gets inputs from two sources:

- hypothesis: grammar-shaped generation (tag lists, SPF terms, policy lines, report JSON
  with every field replaced by any JSON value), run in hypothesis' generate phase only
  (no shrinking, no example database), so every example is one input; 5% of the inputs
  by default (hypothesis is slow per example), and the generated inputs also become
  seeds of the mutator;
- mutation of real-looking seeds: byte or character flips, truncation, deletion,
  duplication, splicing two seeds, insertion of control characters, non-ASCII and lone
  surrogates, and huge runs (up to 200k characters); report JSON is also mutated as a
  structure (values swapped for other JSON types, keys dropped, deep nesting, huge ints).

An input "fails" when the target raises anything but its documented rejection, or when its
result breaks the parser's contract (a problem code outside the catalogue, a position
outside the input). Per target it prints inputs run, failures, inputs/s and the slowest
input; failures are printed with their traceback and the input (repr, truncated).

    .venv/bin/python bench/fuzz_parsers.py [--inputs 100000] [--targets spf,dmarc] [--seed 1]

The exit status is 1 when any input failed. `tests/records/test_fuzz_budget.py` runs the
same targets with a few hundred inputs each in CI.

Adding a parser is one `register(...)` line at the end of the TARGETS section. The two report
targets take whole files (plain, gzip, zip) through sniffing, decompression, parsing and row
building, with a structure-aware mutator each (JSON values for TLS-RPT, XML leaf elements for
DMARC aggregate reports).
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import random
import re
import sys
import time
import traceback
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from assessment.dmarc.prepare import DMARC
from assessment.dmarc.prepare import prepare as prepare_dmarc
from assessment.intake.payloads import report_payloads
from assessment.records.dkim import parse_dkim_key
from assessment.records.dmarc import parse_dmarc
from assessment.records.mtasts import parse_sts_txt
from assessment.records.mtasts_policy import parse_sts_policy
from assessment.records.problem import CODES_BY_PARSER, Problem
from assessment.records.spf import parse_spf
from assessment.records.tlsrpt import parse_tlsrpt_txt
from assessment.tlsrpt.prepare import TLSRPT, prepare

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"

Input = str | bytes


@dataclass(frozen=True)
class Target:
    """One parser under fuzz: how to call it, what it may raise, what its result must hold."""

    name: str
    call: Callable[[Any], object]
    seeds: Sequence[Input]
    strategy: st.SearchStrategy[Any]
    expected: tuple[type[BaseException], ...] = ()
    """Exceptions that are the parser's documented way to reject an input."""
    check: Callable[[Any, object], None] | None = None
    """Raises AssertionError when a result breaks the parser's contract."""
    structured: Callable[[random.Random, Input], Input] | None = None
    """An extra, structure-aware mutator (e.g. JSON-level) for this target's seeds."""


TARGETS: dict[str, Target] = {}


def register(target: Target) -> None:
    TARGETS[target.name] = target


# ----------------------------------------------------------------------------- mutation

_CONTROL = [chr(c) for c in (*range(0x00, 0x20), 0x7F)]
_UNICODE = [
    "\u00a0",
    "\u00e9",
    "\u2013",
    "\u201c",
    "\u201d",
    "\u2028",
    "\ufeff",
    "\uffff",
    "\U0001f4e7",
    "\u0661",
    "\ud800",  # a lone surrogate: a str can hold one even if DNS text never does
    "\x85",
]
_GRAMMAR = list(" \t;:=,./%{}!@*-_+~?\"'\\[]()<>|vV0123456789aAzZ")
_HUGE = (1_000, 10_000, 200_000)


def _text_piece(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.3:
        return rng.choice(_CONTROL)
    if roll < 0.55:
        return rng.choice(_UNICODE)
    if roll < 0.97:
        return "".join(rng.choice(_GRAMMAR) for _ in range(rng.randint(1, 4)))
    return rng.choice(_GRAMMAR + _CONTROL + _UNICODE) * rng.choice(_HUGE)


def _bytes_piece(rng: random.Random) -> bytes:
    roll = rng.random()
    if roll < 0.4:
        return bytes([rng.randrange(256)])
    if roll < 0.7:
        return rng.choice(_UNICODE).encode("utf-8", "surrogatepass")
    if roll < 0.97:
        return rng.choice([b"{", b"}", b"[", b"]", b'"', b",", b":", b"\\u", b"null", b"-1e9"])
    return bytes([rng.randrange(256)]) * rng.choice(_HUGE)


def mutate(rng: random.Random, data: Input, seeds: Sequence[Input]) -> Input:
    """One to four random edits of `data` (str or bytes)."""
    text = isinstance(data, str)
    for _ in range(rng.randint(1, 4)):
        n = len(data)
        at = rng.randint(0, n)
        op = rng.randrange(9)
        if op == 0 and n:  # flip: one bit of a byte, or one character for another
            i = rng.randrange(n)
            if text:
                assert isinstance(data, str)
                data = data[:i] + chr(ord(data[i]) ^ (1 << rng.randrange(8))) + data[i + 1 :]
            else:
                assert isinstance(data, bytes)
                data = data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1 :]
        elif op == 1:  # truncate
            data = data[:at]
        elif op == 2:  # delete a span
            data = data[:at] + data[at + rng.randint(1, 8) :]
        elif op == 3:  # duplicate a span
            data = data[:at] + data[at : at + rng.randint(1, 24)] + data[at:]
        elif op == 4:  # splice with another seed
            other = rng.choice(seeds)
            if isinstance(other, str) is text:
                cut = rng.randint(0, len(other))
                data = data[:at] + other[cut:]  # type: ignore[operator]
        else:  # insert control, unicode, grammar characters or a huge run
            piece: Input = _text_piece(rng) if text else _bytes_piece(rng)
            data = data[:at] + piece + data[at:]  # type: ignore[operator]
    return data


# ------------------------------------------------------------------------ the running


@dataclass
class Tally:
    name: str
    inputs: int = 0
    failures: int = 0
    seconds: float = 0.0
    slowest: float = 0.0
    slowest_input: Input = ""
    examples: list[tuple[str, Input]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.inputs / self.seconds if self.seconds else 0.0


def _run_one(target: Target, data: Input, tally: Tally, keep: int) -> None:
    start = time.perf_counter()
    try:
        result = target.call(data)
        if target.check is not None:
            target.check(data, result)
    except target.expected:
        pass
    except Exception:  # every other exception is a finding of the fuzzer
        tally.failures += 1
        if len(tally.examples) < keep:
            tally.examples.append((traceback.format_exc(limit=6), data))
    elapsed = time.perf_counter() - start
    tally.inputs += 1
    tally.seconds += elapsed
    if elapsed > tally.slowest:
        tally.slowest, tally.slowest_input = elapsed, data


def mutated_inputs(
    target: Target, count: int, rng: random.Random, extra: Sequence[Input] = ()
) -> Iterator[Input]:
    seeds = [*target.seeds, *extra]
    for _ in range(count):
        seed = rng.choice(seeds)
        if target.structured is not None and rng.random() < 0.35:
            yield target.structured(rng, rng.choice(target.seeds))
        else:
            yield mutate(rng, seed, seeds)


# hypothesis spends ~10-25 ms per example on these strategies (2-core VM under load), the
# mutator microseconds: hypothesis makes a pool of grammar-shaped inputs, each run as an
# input and the first few hundred kept as extra seeds for the mutator.
GENERATED_SHARE = 0.05
_KEPT_GENERATED = 500


def run_target(
    target: Target, inputs: int, seed: int, *, keep: int = 5, generated: int | None = None
) -> Tally:
    """`inputs` inputs: `generated` from hypothesis (default 5%, at least 1), then mutations."""
    tally = Tally(target.name)
    if generated is None:
        generated = max(1, int(inputs * GENERATED_SHARE))
    generated = min(generated, inputs)
    pool: list[Input] = []
    if generated:

        @settings(
            max_examples=generated,
            phases=[Phase.generate],
            database=None,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(target.strategy)
        def generate(data: Input) -> None:
            if len(pool) < _KEPT_GENERATED and isinstance(data, type(target.seeds[0])):
                pool.append(data)
            _run_one(target, data, tally, keep)

        generate()
    rng = random.Random(f"{seed}:{target.name}")
    for data in mutated_inputs(target, inputs - tally.inputs, rng, pool):
        _run_one(target, data, tally, keep)
    return tally


# ------------------------------------------------------------------- contract checks


def _problems_check(parser: str, *, lines: bool = False) -> Callable[[Any, object], None]:
    allowed = frozenset(CODES_BY_PARSER[parser])

    def check(data: Any, result: object) -> None:
        problems = getattr(result, "problems", None)
        assert isinstance(problems, tuple), type(result)
        limit = data.count("\n") + 1 if lines else len(data)
        for problem in problems:
            assert isinstance(problem, Problem)
            assert problem.code in allowed, problem.code
            if problem.position is not None:
                assert (1 if lines else 0) <= problem.position <= limit, problem

    return check


def _report_check(data: Any, result: object) -> None:
    assert isinstance(result, list)
    for pending in result:
        assert (pending.rows is None) != (pending.reason == ""), pending.reason


# ------------------------------------------------------------------------- generation

_domains = st.sampled_from(
    ["example.com", "_spf.example.com", "mail.example.org.", "xn--bcher-kva.example", "x", ""]
)
_junk = st.text(alphabet=st.sampled_from(_GRAMMAR + _CONTROL + _UNICODE[:-2]), max_size=12)
_any_text = st.one_of(st.text(max_size=40), _junk)


_macro = st.builds(
    lambda letter, digits, r, delims: f"%{{{letter}{digits}{r}{delims}}}",
    st.sampled_from("slodiphcrtvxSLD"),
    st.sampled_from(["", "0", "1", "2", "10", "9" * 50]),
    st.sampled_from(["", "r", "R"]),
    st.text(alphabet=".-+,/_=;", max_size=3),
)
_spec = st.lists(
    st.one_of(_domains, _macro, st.sampled_from(["%%", "%_", "%-", "%", "."])), max_size=5
).map("".join)
_spf_term = st.builds(
    lambda qualifier, name, argument, cidr: qualifier + name + argument + cidr,
    st.sampled_from(["", "+", "-", "~", "?", "+-"]),
    st.sampled_from(["all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists", "redirect", "exp"])
    | _junk,
    st.one_of(
        st.just(""),
        _spec.map(lambda spec: ":" + spec),
        _spec.map(lambda spec: "=" + spec),
        st.sampled_from([":192.0.2.0", ":2001:db8::", ":1.2.3", ":::ffff:1.2.3.4"]),
        _any_text,
    ),
    st.sampled_from(["", "/24", "//64", "/24//64", "/33", "//129", "/024", "/", "//"]),
)


_spf_records = st.builds(
    lambda version, terms, seps: (
        version + "".join(sep + term for sep, term in zip(seps, terms, strict=False))
    ),
    st.sampled_from(["v=spf1", "V=SPF1", "v=spf1\t", " v=spf1", "v=spf10", ""]),
    st.lists(_spf_term, max_size=12),
    st.lists(st.sampled_from([" ", "  ", "\t", "\u00a0", "", " \r\n"]), min_size=12, max_size=12),
)


def _tag_lists(version: str, tags: Sequence[str], values: Sequence[str]) -> st.SearchStrategy[str]:
    tag = st.builds(
        lambda name, eq, value: f"{name}{eq}{value}",
        st.sampled_from(list(tags)) | _junk,
        st.sampled_from(["=", " = ", "", "=="]),
        st.sampled_from(list(values)) | _any_text,
    )
    return st.builds(
        lambda first, rest, sep: first + sep.join(["", *rest]),
        st.sampled_from([version, version.lower(), "", " " + version]),
        st.lists(tag, max_size=10),
        st.sampled_from([";", "; ", " ;", ",", ";;", "\t;"]),
    )


_dmarc_records = _tag_lists(
    "v=DMARC1",
    ["p", "sp", "np", "rua", "ruf", "adkim", "aspf", "fo", "pct", "rf", "ri", "t", "psd"],
    [
        "none",
        "quarantine",
        "reject",
        "mailto:d@example.com,mailto:e@x.example!10m",
        "r",
        "s",
        "0:1:d:s",
        "50",
        "101",
        "afrf",
        "86400",
        "y",
        "n",
        "u",
        "mailto:%20@",
        "mailto:a@b!99x",
    ],
)
_dkim_records = _tag_lists(
    "v=DKIM1",
    ["k", "p", "h", "s", "t", "n", "g", "v"],
    [
        "rsa",
        "ed25519",
        "",
        "sha1:sha256",
        "email",
        "*",
        "y:s",
        "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCB",
        "itrALWyUDA8futmB3JGBedP8qCUKKT/y7xiVNb76Vts=",
        "====",
        "A" * 700,
    ],
)
_sts_txt = _tag_lists("v=STSv1", ["id", "x"], ["20240115T120000", "a" * 33, "", "!"])
_tlsrpt_txt = _tag_lists(
    "v=TLSRPTv1",
    ["rua", "x"],
    [
        "mailto:tlsrpt@example.com",
        "https://r.example/v1",
        "mailto:a@b,https://",
        "http://x",
        "mailto:",
        "https://[::1]:99999/",
    ],
)
_policy_lines = st.lists(
    st.builds(
        lambda key, sep, value, end: f"{key}{sep}{value}{end}",
        st.sampled_from(["version", "mode", "mx", "max_age", "Mode", "mx "]) | _junk,
        st.sampled_from([": ", ":", " : ", "="]),
        st.sampled_from(
            [
                "STSv1",
                "enforce",
                "testing",
                "none",
                "*.example.com",
                "mx.example.com.",
                "604800",
                "31557601",
                "9" * 40,
                "*.*.x",
                "",
            ]
        )
        | _any_text,
        st.sampled_from(["\n", "\r\n", "\r", ""]),
    ),
    max_size=12,
).map("".join)

_json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=20),
)
_json_values = st.recursive(
    _json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


def _field(right: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The right type, or any JSON value (half and half: the repr must stay linear)."""
    return right | _json_values


_failure_details = st.fixed_dictionaries(
    {
        "result-type": _field(st.sampled_from(["certificate-expired", "starttls-not-supported"])),
        "failed-session-count": _field(st.integers(min_value=-5, max_value=2**64)),
    },
    optional={
        "sending-mta-ip": _field(st.sampled_from(["192.0.2.1", "2001:db8::1", "x"])),
        "receiving-mx-hostname": _field(st.sampled_from(["mx.example.com", "MX.EXAMPLE.COM."])),
        "receiving-ip": _field(st.sampled_from(["198.51.100.1"])),
        "additional-information": _field(st.text(max_size=30)),
        "failure-reason-code": _field(st.text(max_size=10)),
    },
)
_policy_blocks = st.fixed_dictionaries(
    {
        "policy": _field(
            st.fixed_dictionaries(
                {
                    "policy-type": _field(st.sampled_from(["sts", "tlsa", "no-policy-found"])),
                    "policy-domain": _field(st.sampled_from(["example.com", "Example.COM."])),
                },
                optional={
                    "policy-string": _field(st.lists(st.text(max_size=20), max_size=4)),
                    "mx-host": _field(st.lists(st.text(max_size=20), max_size=3)),
                },
            )
        ),
        "summary": _field(
            st.fixed_dictionaries(
                {
                    "total-successful-session-count": _field(st.integers(-1, 2**64)),
                    "total-failure-session-count": _field(st.integers(-1, 2**64)),
                }
            )
        ),
    },
    optional={"failure-details": _field(st.lists(_failure_details, max_size=3))},
)
_report_documents = st.fixed_dictionaries(
    {
        "organization-name": _field(st.text(min_size=1, max_size=20)),
        "date-range": _field(
            st.fixed_dictionaries(
                {
                    "start-datetime": _field(
                        st.sampled_from(["2025-03-07T00:00:00Z", "2025-03-07 00:00:00+0100"])
                    ),
                    "end-datetime": _field(
                        st.sampled_from(["2025-03-07T23:59:59Z", "9999-12-31T23:59:59Z"])
                    ),
                }
            )
        ),
        "report-id": _field(st.text(min_size=1, max_size=20)),
        "policies": _field(st.lists(_policy_blocks, max_size=3)),
    },
    optional={"contact-info": _field(st.text(max_size=20))},
)
_report_bytes = st.one_of(
    _report_documents.map(lambda doc: json.dumps(doc).encode()),
    _report_documents.map(lambda doc: gzip.compress(json.dumps(doc).encode(), mtime=0)),
    st.binary(max_size=200),
)


def _json_mutation(rng: random.Random, data: Input) -> Input:
    """Replace one value of a seed report by another JSON type, drop a key, or nest deep."""
    assert isinstance(data, bytes)
    try:
        document = json.loads(gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data)
    except (ValueError, OSError, EOFError):
        return data
    containers: list[Any] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict | list):
            containers.append(node)
            for child in node.values() if isinstance(node, dict) else node:
                walk(child)

    walk(document)
    replacement = rng.choice(
        [
            None,
            True,
            -1,
            0,
            2**64,
            2**53 + 1,
            1e308,
            1.5,
            "",
            "\ud800",
            "x" * 100_000,
            [],
            {},
            "2025-02-30T00:00:00Z",
            "1970-01-01T00:00:00Z",
            "+00000-01-01T00:00:00Z",
        ]
    )
    target = rng.choice(containers)
    keys = list(target) if isinstance(target, dict) else list(range(len(target)))
    if keys:
        key = rng.choice(keys)
        roll = rng.random()
        if roll < 0.2 and isinstance(target, dict):
            del target[key]
        elif roll < 0.3:
            nested: Any = replacement
            for _ in range(rng.choice((10, 200, 5000))):
                nested = [nested]
            target[key] = nested
        else:
            target[key] = replacement
    try:
        return json.dumps(document, ensure_ascii=rng.random() < 0.5).encode(
            "utf-8", "surrogatepass"
        )
    except RecursionError:
        return data


def _zipped(name: str, body: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, body)
    return buffer.getvalue()


def _report_items(data: bytes) -> list[Any]:
    """Bytes of one TLS-RPT file, through sniffing, decompression, parsing and row building."""
    return [prepare("fuzz", extracted) for extracted in report_payloads(data, "fuzz.json", TLSRPT)]


def _dmarc_items(data: bytes) -> list[Any]:
    """Bytes of one DMARC aggregate file, through sniffing, decompression, XML parsing (DTDs
    and entities refused) and row building."""
    return [
        prepare_dmarc("fuzz", extracted) for extracted in report_payloads(data, "fuzz.xml", DMARC)
    ]


_XML_ELEMENT = re.compile(rb"<([a-z_]+)>([^<]*)</\1>")
_XML_VALUES = (
    b"",
    b"-1",
    b"99999999999999999999999999999",
    b"1e9",
    b"&amp;&lt;",
    b"&unknown;",
    b"<![CDATA[x]]>",
    b"\x00",
    b"x" * 100_000,
    b"2025-02-30",
    b"fail",
    b"none",
    b"999.1.1.1",
    b"::ffff:1.2.3.4",
    "\u00e9\u202e".encode(),
)


def _xml_mutation(rng: random.Random, data: Input) -> Input:
    """Drop, replace or repeat one leaf element of an aggregate report."""
    if not isinstance(data, bytes):
        return data
    elements = list(_XML_ELEMENT.finditer(data))
    if not elements:
        return data
    found = rng.choice(elements)
    tag = found.group(1)
    roll = rng.random()
    if roll < 0.25:
        replacement: bytes = b""
    elif roll < 0.85:
        replacement = b"<" + tag + b">" + rng.choice(_XML_VALUES) + b"</" + tag + b">"
    else:
        replacement = found.group(0) * rng.choice((2, 50, 5000))
    return data[: found.start()] + replacement + data[found.end() :]


def _lines(folder: Path, pattern: str) -> list[str]:
    return [p.read_text(encoding="utf-8").strip() for p in sorted(folder.glob(pattern))]


# ------------------------------------------------------------------------------ TARGETS

_SPF_SEEDS = [
    *(line for line in _lines(FIXTURES / "records", "spf_valid.txt")[0].splitlines()),
    "v=spf1 a:foo:bar/baz.example.com/24//64 exists:%{ir}.%{l1r+-}._spf.%{d} -all",
    "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 redirect=_spf.example.com exp=x.%{d2}",
    "v=spf1 moo.cow-far_out=man:dog/cat a:macro%%percent%_%_space%-url-space.example.com ~all",
]
register(
    Target("spf", parse_spf, _SPF_SEEDS, _spf_records | _any_text, check=_problems_check("spf"))
)
register(
    Target(
        "dmarc",
        parse_dmarc,
        [
            "v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com",
            "v=DMARC1; p=reject; sp=reject; adkim=s; aspf=s; "
            "rua=mailto:a@example.com,mailto:b@vendor.example!10m; ruf=mailto:f@example.com; "
            "fo=0:1:d:s; pct=50; rf=afrf; ri=86400",
            "v=DMARC1;p=quarantine;np=reject;t=n;psd=n;rua=mailto:x@example.com;",
            "v = DMARC1 ; p = none ; rua = mailto:x@example.com",
        ],
        _dmarc_records | _any_text,
        check=_problems_check("dmarc"),
    )
)
register(
    Target(
        "dkim-key",
        parse_dkim_key,
        _lines(FIXTURES / "records" / "dkim", "*.txt"),
        _dkim_records | _any_text,
        check=_problems_check("dkim"),
    )
)
register(
    Target(
        "mta-sts-txt",
        parse_sts_txt,
        ["v=STSv1; id=20240115T120000;", "v=STSv1;id=abc123; ext=1", "v=STSv1; id=1"],
        _sts_txt | _any_text,
        check=_problems_check("mta-sts-txt"),
    )
)
register(
    Target(
        "mta-sts-policy",
        parse_sts_policy,
        [
            p.read_text(encoding="utf-8")
            for p in sorted((FIXTURES / "records" / "mtasts").iterdir())
        ],
        _policy_lines | _any_text,
        check=_problems_check("mta-sts-policy", lines=True),
    )
)
register(
    Target(
        "tlsrpt-txt",
        parse_tlsrpt_txt,
        [
            "v=TLSRPTv1; rua=mailto:tlsrpt@example.com",
            "v=TLSRPTv1;rua=mailto:tls@example.com,https://reports.example.net/v1/tlsrpt",
            "v=TLSRPTv1; rua=mailto:a@example.com , mailto:b@example.org;",
        ],
        _tlsrpt_txt | _any_text,
        check=_problems_check("tlsrpt"),
    )
)
_REPORT_SEEDS: list[Input] = [p.read_bytes() for p in sorted((FIXTURES / "tlsrpt").glob("*.json"))]
_REPORT_SEEDS += [gzip.compress(s, mtime=0) for s in _REPORT_SEEDS[:2]]  # type: ignore[arg-type]
_REPORT_SEEDS.append(_zipped("r.json", _REPORT_SEEDS[0]))  # type: ignore[arg-type]
register(
    Target(
        "tlsrpt-report",
        _report_items,
        _REPORT_SEEDS,
        _report_bytes,
        check=_report_check,
        structured=_json_mutation,
    )
)


_XML_FILES = [p.read_bytes() for p in sorted((FIXTURES / "dmarc").glob("*.xml"))]
_XML_PLAIN = [x for x in _XML_FILES if b"<!DOCTYPE" not in x]
# Mostly reports that parse (so mutations reach the row building), a few hostile ones.
_XML_SEEDS: list[Input] = [*_XML_PLAIN * 6, *(x for x in _XML_FILES if x not in _XML_PLAIN)]
_XML_SEEDS += [gzip.compress(s, mtime=0) for s in _XML_PLAIN]
_XML_SEEDS.append(_zipped("r.xml", _XML_PLAIN[0]))
register(Target("dmarc-report", _dmarc_items, _XML_SEEDS, st.binary(), structured=_xml_mutation))


# ---------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=100_000, help="inputs per target")
    parser.add_argument("--targets", default=",".join(TARGETS), help="comma-separated names")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--generated", type=int, default=None, help="hypothesis inputs per target (default 5%%)"
    )
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.targets.split(",") if name.strip()]
    unknown = sorted(set(names) - set(TARGETS))
    if unknown:
        parser.error(f"unknown targets {', '.join(unknown)}; known: {', '.join(TARGETS)}")
    failed = 0
    # inputs/s: inputs over the time spent inside the parser; wall s: the whole run of the
    # target, generation and mutation included.
    print(
        f"{'target':<16}{'inputs':>10}{'failures':>10}{'inputs/s':>11}{'wall s':>9}"
        f"{'slowest ms':>12}"
    )
    for name in names:
        started = time.perf_counter()
        tally = run_target(TARGETS[name], args.inputs, args.seed, generated=args.generated)
        wall = time.perf_counter() - started
        failed += tally.failures
        print(
            f"{tally.name:<16}{tally.inputs:>10,}{tally.failures:>10,}{tally.rate:>11,.0f}"
            f"{wall:>9.1f}{tally.slowest * 1000:>12.1f}",
            flush=True,
        )
        if tally.slowest > 0.5:
            shown = tally.slowest_input
            print(f"  slowest input ({len(shown):,} long): {shown[:300]!r}")
        for trace, data in tally.examples:
            print(f"  input {data[:300]!r}{' ...' if len(data) > 300 else ''}")
            print("  " + trace.rstrip().replace("\n", "\n  "))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
