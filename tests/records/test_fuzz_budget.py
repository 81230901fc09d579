"""A small budget of `bench/fuzz_parsers.py` in CI: every target, the same generators.

The benchmark runs 100k inputs per parser; here each target gets a few hundred, so the
harness itself stays tested (generators produce, mutations mutate, failures are counted)
and a parser that starts raising on hostile input fails CI, not only the next fuzz run.
"""

from __future__ import annotations

import importlib.util
import random
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType, ModuleType

import pytest

from assessment.records.dkim import parse_dkim_key
from assessment.records.mtasts_policy import parse_sts_policy
from assessment.records.spf import parse_spf

BUDGET = 300
HARNESS_PATH = Path(__file__).resolve().parents[2] / "bench" / "fuzz_parsers.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fuzz_parsers", HARNESS_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through it
    spec.loader.exec_module(module)
    return module


harness = _load()
TARGETS = sorted(harness.TARGETS)


def test_every_parser_of_hostile_input_is_a_target() -> None:
    assert set(TARGETS) >= {
        "spf",
        "dmarc",
        "dkim-key",
        "mta-sts-txt",
        "mta-sts-policy",
        "tlsrpt-txt",
        "tlsrpt-report",
        "dmarc-report",
    }


@pytest.mark.parametrize("name", TARGETS)
def test_budget_run_has_no_failures(name: str) -> None:
    tally = harness.run_target(harness.TARGETS[name], BUDGET, seed=7)
    assert tally.inputs == BUDGET
    assert tally.failures == 0, "\n\n".join(trace for trace, _ in tally.examples)


def test_a_raising_parser_is_counted_with_its_input() -> None:
    """The harness can fail: a parser that raises on some inputs is caught and shown."""

    def fragile(text: str) -> None:
        if "%" in text:
            raise ValueError("boom")

    target = harness.Target("fragile", fragile, ["v=spf1 a:%{d}", "v=spf1 -all"], harness.st.text())
    tally = harness.run_target(target, 200, seed=7)
    assert tally.inputs == 200
    assert 0 < tally.failures < 200
    trace, data = tally.examples[0]
    assert "ValueError: boom" in trace and "%" in data


def test_a_contract_breach_is_a_failure() -> None:
    target = harness.Target(
        "liar",
        lambda text: type("R", (), {"problems": ("not a Problem",)})(),
        ["x"],
        harness.st.text(),
        check=harness._problems_check("spf"),
    )
    assert harness.run_target(target, 20, seed=7).failures == 20


def test_mutations_cover_every_kind_of_damage() -> None:
    rng = random.Random(3)
    seed = "v=spf1 include:_spf.example.com -all"
    outputs = [harness.mutate(rng, seed, [seed]) for _ in range(3000)]
    assert any(len(out) < len(seed) and seed.startswith(out) for out in outputs)  # truncated
    assert any(any(ord(c) < 0x20 for c in out) for out in outputs)  # control characters
    assert any(any(0xD800 <= ord(c) <= 0xDFFF for c in out) for out in outputs)  # surrogates
    assert any(len(out) > 100_000 for out in outputs)  # huge runs
    raw = b'{"report-id": "x"}'
    assert any(isinstance(harness.mutate(rng, raw, [raw]), bytes) for _ in range(10))


@pytest.fixture
def deadline() -> Iterator[None]:
    """Fail a test that runs 30 s: a hang detector, not a speed target (margin ~1000x)."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError("parser did not finish in 30 s: quadratic on a long run?")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(30)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.usefixtures("deadline")
def test_long_whitespace_run_in_a_tag_value_is_linear() -> None:
    """Found by the fuzzer: 200k no-break spaces in `p=` took minutes (regex backtracking)."""
    text = "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0B" + "\u00a0" * 200_000
    key = parse_dkim_key(text)
    bad = [p for p in key.problems if p.code == "DKIM_BAD_CHARACTER"]
    assert len(bad) == 1  # one run, one problem (was one per character)
    assert bad[0].position == text.index("\u00a0")


@pytest.mark.usefixtures("deadline")
def test_long_space_run_in_a_policy_value_is_linear() -> None:
    """Found by the fuzzer: a policy line of 200k spaces before a value took minutes."""
    text = "version: STSv1\nmode: enforce\nmx: " + " " * 200_000 + "x.example\nmax_age: 86400\n"
    policy = parse_sts_policy(text)
    assert [p.pattern for p in policy.mx] == ["x.example"]


@pytest.mark.usefixtures("deadline")
def test_long_failing_top_label_is_linear() -> None:
    """Found by the fuzzer: a 200k-letter label ending in a bad character took 11 minutes."""
    text = "v=spf1 include:%{ir}.%{v}._spf." + "Z" * 200_000 + "! -all"
    record = parse_spf(text)
    assert [p.code for p in record.problems if p.code == "SPF_BAD_DOMAIN_SPEC"] == [
        "SPF_BAD_DOMAIN_SPEC"
    ]
