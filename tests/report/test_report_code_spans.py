"""Backtick spans in our wording become code; nothing else in the text becomes markup."""

from __future__ import annotations

from assessment.report.render import code_spans


def test_backticks_become_code_and_everything_is_escaped() -> None:
    html = str(code_spans('record `v=spf1 -all` <img src="http://x/y.png"> & `a<b>`'))
    assert "<code>v=spf1 -all</code>" in html
    assert "<img" not in html and "&lt;img" in html
    assert "<code>a&lt;b&gt;</code>" in html
    assert "&amp;" in html


def test_unpaired_backtick_is_left_as_text() -> None:
    assert str(code_spans("it's `open")) == "it&#39;s `open"
