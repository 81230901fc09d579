"""Pure record parsers: text in, typed values plus positioned problems out. No I/O."""

from assessment.records.dkim import DkimKey, KeyType, parse_dkim_key
from assessment.records.dmarc import (
    Alignment,
    DmarcRecord,
    Policy,
    PsdFlag,
    is_dmarc_record,
    parse_dmarc,
)
from assessment.records.mtasts import (
    MxPattern,
    StsMode,
    StsPolicy,
    StsTxt,
    is_sts_record,
    mx_pattern_matches,
    parse_sts_policy,
    parse_sts_txt,
    render_sts_policy,
)
from assessment.records.problem import (
    PROBLEM_CATALOGUE,
    PROBLEM_INFO,
    Problem,
    ProblemInfo,
    ProblemLevel,
)
from assessment.records.spf import (
    Qualifier,
    SpfRecord,
    SpfTerm,
    TermKind,
    is_spf_record,
    parse_spf,
    spf_size_problems,
)
from assessment.records.tlsrpt import TlsRptTxt, is_tlsrpt_record, parse_tlsrpt_txt
from assessment.records.txt import select_records, split_tag_list
from assessment.records.uri import ReportUri

__all__ = [
    "PROBLEM_CATALOGUE",
    "PROBLEM_INFO",
    "Alignment",
    "DkimKey",
    "DmarcRecord",
    "KeyType",
    "MxPattern",
    "Policy",
    "Problem",
    "ProblemInfo",
    "ProblemLevel",
    "PsdFlag",
    "Qualifier",
    "ReportUri",
    "SpfRecord",
    "SpfTerm",
    "StsMode",
    "StsPolicy",
    "StsTxt",
    "TermKind",
    "TlsRptTxt",
    "is_dmarc_record",
    "is_spf_record",
    "is_sts_record",
    "is_tlsrpt_record",
    "mx_pattern_matches",
    "parse_dkim_key",
    "parse_dmarc",
    "parse_spf",
    "parse_sts_policy",
    "parse_sts_txt",
    "parse_tlsrpt_txt",
    "render_sts_policy",
    "select_records",
    "spf_size_problems",
    "split_tag_list",
]
