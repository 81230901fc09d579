from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest

from assessment.report.svg import SvgError, sanitize_svg

HOSTILE = """<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     onload="alert(1)">
  <script>alert(1)</script>
  <style>@import url(http://127.0.0.1:9/y.css);</style>
  <style>.a { fill: red }</style>
  <defs><linearGradient id="g"/></defs>
  <rect width="10" height="10" fill="url(#g)" onclick="x()"/>
  <rect width="10" height="10" style="fill: url(http://127.0.0.1:9/z)"/>
  <use xlink:href="#g"/>
  <use xlink:href="http://127.0.0.1:9/sprite.svg#a"/>
  <a href="javascript:alert(1)"><text>link</text></a>
  <image href="http://127.0.0.1:9/canary.png"/>
  <foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>
</svg>"""


def test_strips_scripts_handlers_and_remote_references() -> None:
    clean = sanitize_svg(HOSTILE)
    for bad in (
        "script",
        "onload",
        "onclick",
        "127.0.0.1",
        "javascript:",
        "foreignObject",
        "@import",
        "<image",
    ):
        assert bad not in clean, bad
    assert 'fill="url(#g)"' in clean
    assert 'xlink:href="#g"' in clean
    assert "<style" not in clean and "style=" not in clean
    assert 'fill="url(#g)"' in clean


def test_id_prefix_renames_ids_and_fragment_references() -> None:
    clean = sanitize_svg(HOSTILE, "c1-")
    assert 'id="c1-g"' in clean
    assert 'fill="url(#c1-g)"' in clean
    assert 'xlink:href="#c1-g"' in clean
    assert 'id="g"' not in clean


def test_style_attributes_become_presentation_attributes() -> None:
    clean = sanitize_svg(
        '<svg xmlns="http://www.w3.org/2000/svg"><path style="fill: #112233; stroke-width: 0.8;'
        ' stroke: url(http://127.0.0.1:9/x)" fill-opacity="0.5"/></svg>'
    )
    assert 'fill="#112233"' in clean and 'stroke-width="0.8"' in clean
    assert "127.0.0.1" not in clean and 'fill-opacity="0.5"' in clean


def test_refuses_entities_and_non_svg() -> None:
    bomb = '<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>'
    with pytest.raises(SvgError):
        sanitize_svg(bomb)
    with pytest.raises(SvgError):
        sanitize_svg("<html/>")
    with pytest.raises(SvgError):
        sanitize_svg("not xml <")


def test_matplotlib_output_survives() -> None:
    fig, ax = plt.subplots(figsize=(4, 2))
    ax.bar(["google.com", "<b>evil</b>"], [3, 1])
    ax.set_title("Sessions & failures")
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    plt.close(fig)
    clean = sanitize_svg(buf.getvalue())
    assert clean.startswith("<svg")
    assert "<b>" not in clean  # label text is drawn as glyph paths, never markup
    assert "<path" in clean


def test_output_keeps_the_svg_default_namespace_after_weasyprint_is_imported() -> None:
    # WeasyPrint's import re-registers ElementTree's empty prefix (a global): the
    # sanitiser must not depend on that registry, or charts come out as <ns0:svg>.
    import weasyprint  # noqa: F401

    clean = sanitize_svg('<svg xmlns="http://www.w3.org/2000/svg"><rect width="1"/></svg>')
    assert clean.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert "ns0" not in clean and "<rect" in clean
