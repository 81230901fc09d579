"""RFC 7208's ABNF (§4.6.1, §5, §6, §7.1, collected in §12), rule by rule.

Every accepted and every rejected form is its own named case: the id names the ABNF rule
(or the RFC 7208 test-suite case, where one exists) that the form exercises. Rejected
forms also pin the problem code and the token, and that the token sits at the reported
position. Accepted forms may carry warnings and notes, never an error.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment.records.problem import ProblemLevel, SpfCode
from assessment.records.spf import parse_spf
from assessment.records.spf_macro import domain_spec_problems, is_toplabel, macro_problems

P = pytest.param
LABEL_64 = "a" + "1234567890" * 6 + "123"

ACCEPTED = [
    # record = version terms *SP ; version = "v=spf1"
    P("v=spf1", id="record-version-only"),
    P("v=spf1 -all   ", id="record-trailing-*SP"),
    P("V=SpF1 -all", id="version-case-insensitive"),
    # terms = *( 1*SP ( directive / modifier ) )
    P("v=spf1 a  -all", id="terms-1*SP-two-spaces"),
    P("v=spf1 mx     -all", id="terms-1*SP-many-spaces"),
    # qualifier = "+" / "-" / "?" / "~"
    P("v=spf1 +mx -all", id="qualifier-plus"),
    P("v=spf1 -mx ~all", id="qualifier-minus"),
    P("v=spf1 ~mx -all", id="qualifier-tilde"),
    P("v=spf1 ?mx -all", id="qualifier-question"),
    P("v=spf1 INCLUDE:_spf.example.com Mx -ALL", id="mechanism-name-case-insensitive"),
    P("v=spf1 all -all", id="all-twice"),
    # include = "include" ":" domain-spec
    P("v=spf1 include:_spf.example.com -all", id="include-domain-spec"),
    # a / mx = name [ ":" domain-spec ] [ dual-cidr-length ]
    P("v=spf1 a -all", id="a-bare"),
    P("v=spf1 a:mail.example.com -all", id="a-domain-spec"),
    P("v=spf1 a/24 -all", id="dual-cidr-ip4-only"),
    P("v=spf1 a//64 -all", id="dual-cidr-ip6-only"),
    P("v=spf1 a/24//64 -all", id="dual-cidr-both"),
    P("v=spf1 a/0 -all", id="ip4-cidr-length-0"),
    P("v=spf1 a//0 -all", id="ip6-cidr-length-0"),
    P("v=spf1 a/32//128 -all", id="cidr-length-maxima"),
    P("v=spf1 a:foo.example.com/24//64 -all", id="a-domain-spec-dual-cidr"),
    P("v=spf1 mx -all", id="mx-bare"),
    P("v=spf1 mx:mx.example.com//64 -all", id="mx-domain-spec-ip6-cidr"),
    P("v=spf1 mx/28 -all", id="mx-ip4-cidr"),
    # ptr = "ptr" [ ":" domain-spec ]
    P("v=spf1 ptr -all", id="ptr-bare"),
    P("v=spf1 ptr:example.com -all", id="ptr-domain-spec"),
    # ip4 = "ip4" ":" ip4-network [ ip4-cidr-length ] ; qnum = 0-255 without leading zeros
    P("v=spf1 ip4:192.0.2.1 -all", id="ip4-network"),
    P("v=spf1 ip4:192.0.2.0/24 -all", id="ip4-cidr-length"),
    P("v=spf1 ip4:0.0.0.0/32 -all", id="ip4-qnum-0"),
    P("v=spf1 ip4:255.255.255.255/32 -all", id="ip4-qnum-255"),
    # ip6 = "ip6" ":" ip6-network [ ip6-cidr-length ] ; ip6-network per RFC 4291 §2.2
    P("v=spf1 ip6:2001:db8::1 -all", id="ip6-network-compressed"),
    P("v=spf1 ip6:2001:db8:0:0:0:0:0:1 -all", id="ip6-network-full"),
    P("v=spf1 ip6:2001:DB8::/32 -all", id="ip6-network-upper-hex"),
    P("v=spf1 ip6:::ffff:192.0.2.1 -all", id="ip6-network-embedded-ip4"),
    P("v=spf1 ip6:2001:db8::1/128 -all", id="ip6-cidr-length-128"),
    P("v=spf1 ip6:Cafe:Babe:8000::/33 -all", id="ip6-cidr-length-33"),
    # exists = "exists" ":" domain-spec
    P("v=spf1 exists:%{i}._spf.%{d} -all", id="exists-domain-spec"),
    # redirect = "redirect" "=" domain-spec ; explanation = "exp" "=" domain-spec
    P("v=spf1 redirect=_spf.example.com", id="redirect-domain-spec"),
    P("v=spf1 -all exp=explain._spf.%{d}", id="exp-domain-spec"),
    P("v=spf1 REDIRECT=_spf.example.com", id="modifier-name-case-insensitive"),
    # unknown-modifier = name "=" macro-string ; name = ALPHA *( ALPHA / DIGIT / - / _ / . )
    P("v=spf1 moo.cow-far_out=man:dog/cat -all", id="name-alpha-digit-dash-underscore-dot"),
    P("v=spf1 a1-_.b=x -all", id="name-digit-after-alpha"),
    P("v=spf1 default=+ -all", id="unknown-modifier-obsolete-default"),
    P("v=spf1 foo= -all", id="unknown-modifier-empty-macro-string"),
    P("v=spf1 foo=%{l}.%{d} -all", id="unknown-modifier-macro-string"),
    # macro-literal = %x21-24 / %x26-7E
    P("v=spf1 foo=!$&~ -all", id="macro-literal-range-edges-%x21-%x24-%x26-%x7E"),
    P("v=spf1 a:foo:bar/baz.example.com -all", id="domain-spec-literal-colon-and-slash"),
    P("v=spf1 mx:foo:bar/baz.example.com/24 -all", id="domain-spec-slash-then-cidr"),
    # domain-spec = macro-string domain-end ; domain-end = ( "." toplabel [ "." ] ) / ...
    P("v=spf1 include:o.spf.example.com. ~all", id="domain-end-trailing-dot"),
    P("v=spf1 a:foo.example.x1 -all", id="toplabel-alpha-then-digit"),
    P("v=spf1 a:foo.example.1x -all", id="toplabel-digit-then-alpha"),
    P("v=spf1 a:foo.example.xn--zckzah -all", id="toplabel-inner-hyphens"),
    P("v=spf1 a:foo.example.123-456 -all", id="toplabel-digits-with-inner-hyphen"),
    P("v=spf1 a:_spf.example.com -all", id="domain-spec-underscore-label"),
    # domain-end = ... / macro-expand
    P("v=spf1 a:%{d} -all", id="domain-end-macro-expand"),
    P("v=spf1 a:%{H} -all", id="domain-end-macro-expand-upper"),
    P("v=spf1 redirect=%{d}.d.spf.example.com.", id="domain-end-dot-after-macro"),
    P("v=spf1 exists:foo%% -all", id="domain-end-%%"),
    P("v=spf1 exists:foo%_ -all", id="domain-end-%_"),
    P("v=spf1 exists:foo%- -all", id="domain-end-%-"),
    # macro-expand = ( "%{" macro-letter transformers *delimiter "}" ) / "%%" / "%_" / "%-"
    P("v=spf1 a:macro%%percent%_%_space%-url-space.example.com -all", id="macro-expand-%%-%_-%-"),
    P(
        "v=spf1 exists:%{s}.%{l}.%{o}.%{d}.%{i}.%{h}.%{v}.x.example -all",
        id="macro-letters-slodihv",
    ),
    P("v=spf1 exists:%{S}.%{L}.%{O}.%{D}.%{I}.%{H}.%{V}.x.example -all", id="macro-letters-upper"),
    P("v=spf1 exists:%{d2}.x.example -all", id="transformers-digits"),
    P("v=spf1 exists:%{ir}.x.example -all", id="transformers-r"),
    P("v=spf1 exists:%{iR}.x.example -all", id="transformers-R-case-insensitive"),
    P("v=spf1 exists:%{d10r}.x.example -all", id="transformers-digits-then-r"),
    P("v=spf1 exists:%{d01}.x.example -all", id="transformers-leading-zero-nonzero"),
    P("v=spf1 exists:%{l.-+,/_=}.x.example -all", id="delimiters-all-seven"),
    P("v=spf1 exists:%{l2r+-}.user.%{d2}", id="macro-multiple-delimiters"),
    P("v=spf1 exists:%{i" + "1" * 5000 + "}.x.example -all", id="transformers-huge-digit-run"),
]

REJECTED = [
    # version
    P("v=spf1-all", SpfCode.BAD_VERSION, "v=spf1-all", id="version-then-not-SP"),
    P("v=spf10 -all", SpfCode.BAD_VERSION, "v=spf10 -a", id="version-spf10"),
    # SP is the only separator; control characters anywhere (4.6.1, test suite)
    P("v=spf1\t-all", SpfCode.CONTROL_CHARACTER, "\t", id="version-then-tab"),
    P("v=spf1 mx\t-all", SpfCode.CONTROL_CHARACTER, "\t", id="separator-tab-not-SP"),
    P("v=spf1 -all\t", SpfCode.CONTROL_CHARACTER, "\t", id="trailing-tab-not-*SP"),
    P(
        "v=spf1 a:ctrl.example.com\rptr -all",
        SpfCode.CONTROL_CHARACTER,
        "\r",
        id="control-char-policy-CR",
    ),
    P(
        "v=spf1 ip4:192.0.2.5\n include:spf.protection.outlook.com ~all",
        SpfCode.CONTROL_CHARACTER,
        "\n",
        id="badip4-LF",
    ),
    P("v=spf1 a:foo.example.com\x00", SpfCode.CONTROL_CHARACTER, "\x00", id="a-null-NUL"),
    P("v=spf1 mx:foo.example.com\x00", SpfCode.CONTROL_CHARACTER, "\x00", id="mx-null-NUL"),
    P("v=spf1 foo=a\x7fb -all", SpfCode.CONTROL_CHARACTER, "\x7f", id="macro-literal-excludes-DEL"),
    P(
        "v=spf1 foo=a\x1fb -all",
        SpfCode.CONTROL_CHARACTER,
        "\x1f",
        id="macro-literal-excludes-%x1F",
    ),
    # non-ASCII anywhere (test suite non-ascii-policy, -mech, -result)
    P(
        "v=spf1 a:\u00ef\u00bb\u00bfgarbage.example.net -all",
        SpfCode.NON_ASCII,
        "\u00ef\u00bb\u00bf",
        id="non-ascii-policy",
    ),
    P("v=spf1 \u0080a:example.net -all", SpfCode.NON_ASCII, "\u0080", id="non-ascii-mech"),
    P("v=spf1 a:example.net \u0096all", SpfCode.NON_ASCII, "\u0096", id="non-ascii-result"),
    P("v=spf1 mx\u00a0-all", SpfCode.NON_ASCII, "\u00a0", id="separator-no-break-space"),
    P("v=spf1 mx \u2013all", SpfCode.NON_ASCII, "\u2013", id="qualifier-en-dash"),
    P("v=spf1 include:\u201cx.example\u201d -all", SpfCode.NON_ASCII, "\u201c", id="smart-quote"),
    # qualifier / directive / modifier split
    P("v=spf1 +-all", SpfCode.UNKNOWN_MECHANISM, "+-all", id="qualifier-twice"),
    P(
        "v=spf1 -exp=x.example.com",
        SpfCode.UNKNOWN_MECHANISM,
        "-exp=x.example.com",
        id="qualifier-on-modifier",
    ),
    P("v=spf1 ip4:1.2.3.4 -all moo", SpfCode.UNKNOWN_MECHANISM, "moo", id="detect-errors-anywhere"),
    P(
        "v=spf1 ip4:1.2.3.4 redirect:t2.example.com",
        SpfCode.UNKNOWN_MECHANISM,
        "redirect:t2.example.com",
        id="redirect-is-modifier",
    ),
    P(
        "v=spf1 moo.cow/far_out=man:dog/cat -all",
        SpfCode.UNKNOWN_MECHANISM,
        "moo.cow/far_out=man:dog/cat",
        id="modifier-charset-bad-slash",
    ),
    P(
        "v=spf1 moo.cow:far_out=man:dog/cat -all",
        SpfCode.UNKNOWN_MECHANISM,
        "moo.cow:far_out=man:dog/cat",
        id="modifier-charset-bad-colon",
    ),
    # all = "all"
    P("v=spf1 -all.", SpfCode.UNKNOWN_MECHANISM, "-all.", id="all-dot"),
    P("v=spf1 -all:foobar", SpfCode.UNEXPECTED_ARGUMENT, "-all:foobar", id="all-arg"),
    P("v=spf1 -all/8", SpfCode.UNEXPECTED_ARGUMENT, "-all/8", id="all-cidr"),
    # required domain-spec / network
    P("v=spf1 include +all", SpfCode.MISSING_ARGUMENT, "include", id="include-syntax-error"),
    P("v=spf1 include: -all", SpfCode.MISSING_ARGUMENT, "", id="include-empty-domain"),
    P("v=spf1 a: -all", SpfCode.MISSING_ARGUMENT, "", id="a-empty-domain"),
    P("v=spf1 mx: -all", SpfCode.MISSING_ARGUMENT, "", id="mx-empty-domain"),
    P("v=spf1 ptr:", SpfCode.MISSING_ARGUMENT, "", id="ptr-empty-domain"),
    P("v=spf1 exists:", SpfCode.MISSING_ARGUMENT, "", id="exists-empty-domain"),
    P("v=spf1 exists", SpfCode.MISSING_ARGUMENT, "exists", id="exists-implicit"),
    P("v=spf1 ip4", SpfCode.MISSING_ARGUMENT, "ip4", id="bare-ip4"),
    P("v=spf1 -all ip6", SpfCode.MISSING_ARGUMENT, "ip6", id="bare-ip6"),
    P("v=spf1 -all redirect=", SpfCode.MISSING_ARGUMENT, "redirect=", id="redirect-empty-domain"),
    P("v=spf1 exp= -all", SpfCode.MISSING_ARGUMENT, "exp=", id="exp-empty-domain"),
    # no CIDR where the grammar has none
    P(
        "v=spf1 include:ip5.example.com/24 -all",
        SpfCode.UNEXPECTED_ARGUMENT,
        "/24",
        id="include-cidr",
    ),
    P("v=spf1 exists:mail.example.com/24", SpfCode.UNEXPECTED_ARGUMENT, "/24", id="exists-cidr"),
    P("v=spf1 ptr/0 -all", SpfCode.UNEXPECTED_ARGUMENT, "/0", id="ptr-cidr"),
    # ip4-cidr-length = "/" ("0" / %x31-39 0*1DIGIT) ; 0-32
    P("v=spf1 ip4:1.2.3.4/33 -all", SpfCode.BAD_CIDR, "/33", id="cidr4-33"),
    P("v=spf1 ip4:1.2.3.4/032 -all", SpfCode.BAD_CIDR, "/032", id="cidr4-032"),
    P("v=spf1 ip4:1.2.3.4/00 -all", SpfCode.BAD_CIDR, "/00", id="cidr4-00"),
    P("v=spf1 ip4:1.2.3.4/ -all", SpfCode.BAD_CIDR, "/", id="cidr4-empty"),
    P("v=spf1 ip4:1.2.3.4//32", SpfCode.BAD_CIDR, "//32", id="ip4-dual-cidr"),
    # ip6-cidr-length = "/" ("0" / %x31-39 0*2DIGIT) ; 0-128
    P("v=spf1 ip6:::1.1.1.1/129", SpfCode.BAD_CIDR, "/129", id="cidr6-129"),
    P("v=spf1 ip6:::1.1.1.1//33", SpfCode.BAD_CIDR, "//33", id="cidr6-bad"),
    P("v=spf1 ip6:2001:db8::/064 -all", SpfCode.BAD_CIDR, "/064", id="cidr6-leading-zero"),
    # dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ]
    P("v=spf1 a/33 -all", SpfCode.BAD_CIDR, "/33", id="a-bad-cidr4"),
    P("v=spf1 a//129 -all", SpfCode.BAD_CIDR, "//129", id="a-bad-cidr6"),
    P("v=spf1 a/24/64 -all", SpfCode.BAD_CIDR, "/24/64", id="a-dual-cidr-ip4-err"),
    P("v=spf1 mx/33 -all", SpfCode.BAD_CIDR, "/33", id="mx-bad-cidr4"),
    P("v=spf1 mx//129 -all", SpfCode.BAD_CIDR, "//129", id="mx-bad-cidr6"),
    P("v=spf1 a/024 -all", SpfCode.BAD_CIDR, "/024", id="dual-cidr-leading-zero"),
    P("v=spf1 a// -all", SpfCode.BAD_CIDR, "//", id="dual-cidr-empty-ip6"),
    P("v=spf1 a:example.com/ -all", SpfCode.BAD_CIDR, "/", id="dual-cidr-empty-ip4"),
    P("v=spf1 a:example.com///64 -all", SpfCode.BAD_CIDR, "///64", id="dual-cidr-three-slashes"),
    # ip4-network = qnum "." qnum "." qnum "." qnum
    P("v=spf1 ip4:1.2.3", SpfCode.BAD_IP4, "1.2.3", id="bad-ip4-short"),
    P("v=spf1 ip4:1.2.3.4:8080", SpfCode.BAD_IP4, "1.2.3.4:8080", id="bad-ip4-port"),
    P("v=spf1 ip4:192.0.2.256 -all", SpfCode.BAD_IP4, "192.0.2.256", id="qnum-over-255"),
    P("v=spf1 ip4:192.0.2.01 -all", SpfCode.BAD_IP4, "192.0.2.01", id="qnum-leading-zero"),
    P("v=spf1 ip4:mail.example.com -all", SpfCode.BAD_IP4, "mail.example.com", id="ip4-hostname"),
    P("v=spf1 ip4:\u0661.2.3.4 -all", SpfCode.BAD_IP4, "\u0661.2.3.4", id="qnum-non-ascii-digit"),
    # ip6-network = <RFC 4291 §2.2>
    P("v=spf1 ip6::CAFE::BABE", SpfCode.BAD_IP6, ":CAFE::BABE", id="ip6-bad1"),
    P("v=spf1 ip6:1::2::3 -all", SpfCode.BAD_IP6, "1::2::3", id="ip6-two-double-colons"),
    P("v=spf1 ip6:fe80::1%eth0 -all", SpfCode.BAD_IP6, "fe80::1%eth0", id="ip6-zone-index"),
    P(
        "v=spf1 ip4:2001:db8::1 -all",
        SpfCode.IP_VERSION_MISMATCH,
        "2001:db8::1",
        id="ip4-given-ip6",
    ),
    P("v=spf1 ip6:192.0.2.1 -all", SpfCode.IP_VERSION_MISMATCH, "192.0.2.1", id="ip6-given-ip4"),
    # name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )
    P("v=spf1 1up=foo", SpfCode.BAD_MODIFIER_NAME, "1up=foo", id="invalid-modifier-digit-first"),
    P("v=spf1 =all", SpfCode.BAD_MODIFIER_NAME, "=all", id="empty-modifier-name"),
    P("v=spf1 _x=1 -all", SpfCode.BAD_MODIFIER_NAME, "_x=1", id="name-underscore-first"),
    P("v=spf1 a!b=1 -all", SpfCode.BAD_MODIFIER_NAME, "a!b=1", id="name-excludes-bang"),
    # §6: redirect and exp at most once
    P(
        "v=spf1 exp=e13msg.example.com -all exp=e11msg.example.com",
        SpfCode.DUPLICATE_MODIFIER,
        "exp=e11msg.example.com",
        id="exp-twice",
    ),
    P(
        "v=spf1 redirect=e12.example.com -all redirect=e12.example.com",
        SpfCode.DUPLICATE_MODIFIER,
        "redirect=e12.example.com",
        id="redirect-twice",
    ),
    # macro-expand
    P("v=spf1 -all foo=%abc", SpfCode.BAD_MACRO, "%a", id="unknown-modifier-syntax-lone-%"),
    P(
        "v=spf1 -exists:%(ir).sbl.example.com ?all",
        SpfCode.BAD_MACRO,
        "%(",
        id="invalid-macro-char",
    ),
    P(
        "v=spf1 exists:foo%(ir).sbl.example.com ?all",
        SpfCode.BAD_MACRO,
        "%(",
        id="invalid-embedded-macro-char",
    ),
    P(
        "v=spf1 exists:foo%.sbl.example.com ?all",
        SpfCode.BAD_MACRO,
        "%.",
        id="invalid-trailing-macro-char",
    ),
    P("v=spf1 exists:x.example% -all", SpfCode.BAD_MACRO, "%", id="macro-literal-excludes-%x25"),
    P("v=spf1 a:%{a}.example.com -all", SpfCode.BAD_MACRO, "%{a}", id="macro-letter-a-undefined"),
    P("v=spf1 exists:%{x}.example.com -all", SpfCode.BAD_MACRO, "%{x}", id="macro-letter-x"),
    P("v=spf1 exists:%{1}.example.com -all", SpfCode.BAD_MACRO, "%{1}", id="macro-letter-missing"),
    P("v=spf1 exists:%{}.example.com -all", SpfCode.BAD_MACRO, "%{}", id="macro-expand-empty"),
    P("v=spf1 exists:%{i0}.example.com -all", SpfCode.BAD_MACRO, "%{i0}", id="transformers-zero"),
    P(
        "v=spf1 exists:%{i00r}.example.com -all",
        SpfCode.BAD_MACRO,
        "%{i00r}",
        id="transformers-zeros",
    ),
    P(
        "v=spf1 exists:%{ir2}.example.com -all",
        SpfCode.BAD_MACRO,
        "%{ir2}",
        id="transformers-r-before-digits",
    ),
    P(
        "v=spf1 exists:%{irr}.example.com -all",
        SpfCode.BAD_MACRO,
        "%{irr}",
        id="transformers-r-twice",
    ),
    P(
        "v=spf1 exists:%{i.2}.example.com -all",
        SpfCode.BAD_MACRO,
        "%{i.2}",
        id="delimiter-before-digits",
    ),
    P(
        "v=spf1 exists:%{i;}.example.com -all",
        SpfCode.BAD_MACRO,
        "%{i;}",
        id="delimiter-excludes-semicolon",
    ),
    P(
        "v=spf1 exists:%{i:}.example.com -all",
        SpfCode.BAD_MACRO,
        "%{i:}",
        id="delimiter-excludes-colon",
    ),
    P(
        "v=spf1 exists:%{i.example.com -all",
        SpfCode.BAD_MACRO,
        "%{i.example.com",
        id="macro-expand-unterminated",
    ),
    # §7.2: c, r, t only in explanation text
    P(
        "v=spf1 exists:%{c}.example.com -all",
        SpfCode.MACRO_EXP_ONLY,
        "%{c}",
        id="macro-letter-c-exp-only",
    ),
    P(
        "v=spf1 exists:%{r}.example.com -all",
        SpfCode.MACRO_EXP_ONLY,
        "%{r}",
        id="macro-letter-r-exp-only",
    ),
    P(
        "v=spf1 -all exp=%{t}.example.com",
        SpfCode.MACRO_EXP_ONLY,
        "%{t}",
        id="exp-only-macro-char-t",
    ),
    P("v=spf1 -all exp=%{r}.example.com", SpfCode.MACRO_EXP_ONLY, "%{r}", id="exp-only-macro-char"),
    # domain-spec = macro-string domain-end
    P("v=spf1 a:museum", SpfCode.BAD_DOMAIN_SPEC, "museum", id="a-only-toplabel"),
    P("v=spf1 a:museum.", SpfCode.BAD_DOMAIN_SPEC, "museum.", id="a-only-toplabel-trailing-dot"),
    P("v=spf1 a:foo-bar -all", SpfCode.BAD_DOMAIN_SPEC, "foo-bar", id="invalid-domain"),
    P("v=spf1 a:111.222.33.44", SpfCode.BAD_DOMAIN_SPEC, "111.222.33.44", id="a-numeric"),
    P("v=spf1 a:abc.123", SpfCode.BAD_DOMAIN_SPEC, "abc.123", id="a-numeric-toplabel"),
    P("v=spf1 mx:abc.123", SpfCode.BAD_DOMAIN_SPEC, "abc.123", id="mx-numeric-top-label"),
    P("v=spf1 a:example.-com", SpfCode.BAD_DOMAIN_SPEC, "example.-com", id="a-bad-toplabel"),
    P(
        "v=spf1 a:example.com- -all",
        SpfCode.BAD_DOMAIN_SPEC,
        "example.com-",
        id="toplabel-trailing-hyphen",
    ),
    P(
        "v=spf1 a:example.c_m -all",
        SpfCode.BAD_DOMAIN_SPEC,
        "example.c_m",
        id="toplabel-excludes-underscore",
    ),
    P("v=spf1 a:example.com:8080", SpfCode.BAD_DOMAIN_SPEC, "example.com:8080", id="a-bad-domain"),
    P(
        "v=spf1 mx:example.com:8080",
        SpfCode.BAD_DOMAIN_SPEC,
        "example.com:8080",
        id="mx-bad-domain",
    ),
    P(
        "v=spf1 a:mail.example...com -all",
        SpfCode.BAD_DOMAIN_SPEC,
        "mail.example...com",
        id="invalid-domain-empty-label",
    ),
    P(
        "v=spf1 a:.example.com -all",
        SpfCode.BAD_DOMAIN_SPEC,
        ".example.com",
        id="domain-leading-dot",
    ),
    P(
        f"v=spf1 a:{LABEL_64}.example.com -all",
        SpfCode.BAD_DOMAIN_SPEC,
        f"{LABEL_64}.example.com",
        id="invalid-domain-long-label",
    ),
    P(
        "v=spf1 a:" + "a." * 127 + "com -all",
        SpfCode.BAD_DOMAIN_SPEC,
        "a." * 127 + "com",
        id="domain-over-253",
    ),
    P("v=spf1 -all exp=-all", SpfCode.BAD_DOMAIN_SPEC, "-all", id="exp-syntax-error"),
    P("v=spf1 redirect=-all ?all", SpfCode.BAD_DOMAIN_SPEC, "-all", id="redirect-syntax-error"),
    # domain-end with macros: after the last macro-expand, "." toplabel [ "." ] or nothing
    P(
        "v=spf1 exists:%{i}.x%{d}q -all",
        SpfCode.BAD_DOMAIN_SPEC,
        "%{i}.x%{d}q",
        id="domain-end-literal-after-macro",
    ),
    P(
        "v=spf1 a:%{d}. -all",
        SpfCode.BAD_DOMAIN_SPEC,
        "%{d}.",
        id="domain-end-dot-without-toplabel",
    ),
    P(
        "v=spf1 exists:foo.%%- -all",
        SpfCode.BAD_DOMAIN_SPEC,
        "foo.%%-",
        id="domain-end-literal-dash-after-%%",
    ),
    P(
        "v=spf1 exists:%{i}..example.com -all",
        SpfCode.BAD_DOMAIN_SPEC,
        "%{i}..example.com",
        id="domain-spec-empty-label-with-macro",
    ),
    P(
        "v=spf1 exists:%{i}.example.-com -all",
        SpfCode.BAD_DOMAIN_SPEC,
        "%{i}.example.-com",
        id="domain-end-bad-toplabel-after-macro",
    ),
]


def _errors(text: str) -> list[str]:
    return [p.code for p in parse_spf(text).problems if p.level is ProblemLevel.ERROR]


@pytest.mark.parametrize("text", ACCEPTED)
def test_accepted_form(text: str) -> None:
    record = parse_spf(text)
    assert record.version_ok
    assert _errors(text) == [], record.problems
    assert record.valid
    assert all(term.valid for term in record.terms)


@pytest.mark.parametrize(("text", "code", "token"), REJECTED)
def test_rejected_form(text: str, code: SpfCode, token: str) -> None:
    record = parse_spf(text)
    assert not record.valid
    matching = [p for p in record.problems if p.code == code]
    assert matching, (code, record.problems)
    problem = matching[0]
    assert problem.level is ProblemLevel.ERROR
    assert problem.token == token
    assert problem.position is not None
    assert text[problem.position :].startswith(token)


def test_two_spaces_are_a_note_not_a_warning() -> None:
    """RFC 7208 test suite two-spaces: `v=spf1 a  -all` is "actually fine"."""
    record = parse_spf("v=spf1 a  -all")
    assert [(p.code, p.level, p.position, p.token) for p in record.problems] == [
        (SpfCode.BAD_WHITESPACE, ProblemLevel.INFO, 8, "  ")
    ]


def test_a_tab_after_the_version_is_not_selected_but_the_terms_are_read() -> None:
    record = parse_spf("v=spf1\tmx -all")
    assert not record.version_ok
    assert [t.raw for t in record.terms] == ["mx", "-all"]


def test_domain_spec_and_cidr_are_split_before_the_trailing_slash_run() -> None:
    colon = parse_spf("v=spf1 a:foo:bar/baz.example.com/24//64 -all").terms[0]
    assert (colon.value, colon.cidr4, colon.cidr6) == ("foo:bar/baz.example.com", 24, 64)
    digits = parse_spf("v=spf1 a:foo.x1//48 -all").terms[0]
    assert (digits.value, digits.cidr4, digits.cidr6) == ("foo.x1", None, 48)
    macro = parse_spf("v=spf1 mx:%{d}/28 -all").terms[0]
    assert (macro.value, macro.cidr4) == ("%{d}", 28)


def test_a_bad_character_makes_its_term_invalid_and_is_reported_once() -> None:
    record = parse_spf("v=spf1 include:\u201cx.example\u201d -all")
    assert not record.terms[0].valid
    assert record.terms[1].valid
    assert [p.code for p in record.problems if p.code == SpfCode.NON_ASCII] == [
        SpfCode.NON_ASCII,
        SpfCode.NON_ASCII,
    ]  # the opening and the closing quote, each at its own position


@pytest.mark.parametrize(
    "text",
    [
        P("%{c} is not allowed at %{r} on %{t}", id="explain-string-letters-crt-and-SP"),
        P("http://example.com/why.html?l=%{L}", id="explain-string-upper-letter"),
        P("%%%_%-", id="explain-string-escapes"),
    ],
)
def test_explain_string_accepts(text: str) -> None:
    assert macro_problems(text, 0, explanation=True) == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        P("The %{x}-files.", SpfCode.BAD_MACRO, id="explain-string-bad-letter"),
        P("tab\there", SpfCode.CONTROL_CHARACTER, id="explain-string-excludes-tab"),
        P("caf\u00e9", SpfCode.NON_ASCII, id="explain-string-excludes-non-ascii"),
        P("100%", SpfCode.BAD_MACRO, id="explain-string-lone-%"),
    ],
)
def test_explain_string_rejects(text: str, code: SpfCode) -> None:
    assert code in [p.code for p in macro_problems(text, 0, explanation=True)]


@pytest.mark.parametrize(
    ("spec", "ok"),
    [
        P("example.com", True, id="standalone-domain-spec-literal"),
        P("%{d}", True, id="standalone-domain-spec-macro"),
        P("a b.example.com", False, id="standalone-domain-spec-excludes-SP"),
        P("", False, id="standalone-domain-spec-empty"),
    ],
)
def test_domain_spec_standalone(spec: str, ok: bool) -> None:
    assert (domain_spec_problems(spec, 0) == []) is ok


# toplabel exactly as RFC 7208 writes it: checked against `is_toplabel` on short strings,
# where the ABNF's own regex is cheap (it backtracks quadratically on long ones).
_ABNF_TOPLABEL = re.compile(
    r"[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9]", re.ASCII
)


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="aZ09-_.é", max_size=8))
def test_toplabel_check_is_the_abnf_rule(label: str) -> None:
    assert is_toplabel(label) is (_ABNF_TOPLABEL.fullmatch(label) is not None)
