from assessment.records.problem import (
    CODES_BY_PARSER,
    PROBLEM_CATALOGUE,
    PROBLEM_INFO,
    Problem,
    ProblemLevel,
    ordered,
)


def test_every_code_is_catalogued_once() -> None:
    codes = [info.code for info in PROBLEM_CATALOGUE]
    assert len(codes) == len(set(codes))
    emitted = {code for group in CODES_BY_PARSER.values() for code in group}
    assert emitted == set(codes)


def test_codes_are_upper_snake_with_parser_prefix() -> None:
    prefixes = {
        "spf": "SPF_",
        "dmarc": "DMARC_",
        "dkim": "DKIM_",
        "mta-sts-txt": "STS_",
        "mta-sts-policy": "STS_POLICY_",
        "tlsrpt": "TLSRPT_",
    }
    for parser, group in CODES_BY_PARSER.items():
        for code in group:
            assert code.startswith(prefixes[parser])
            assert code == code.upper()
            assert " " not in code
        assert PROBLEM_INFO[group[0]].description


def test_problem_exposes_level_and_description() -> None:
    problem = Problem("SPF_UNKNOWN_MECHANISM", "unknown mechanism", 7, "inlcude:x.com")
    assert problem.level is ProblemLevel.ERROR
    assert "mechanism" in problem.description


def test_ordered_puts_whole_record_problems_last() -> None:
    a = Problem("SPF_PTR_MECHANISM", "a", 10)
    b = Problem("SPF_RECORD_LONG", "b", None)
    c = Problem("SPF_PTR_MECHANISM", "c", 2)
    assert ordered([a, b, c]) == (c, a, b)
