"""Sanitising chart SVG before it is inlined into the report HTML.

Charts come from our own matplotlib code, but their text (titles, axis labels, legend entries)
includes reporter names and MX hostnames taken from TLS-RPT files, which anyone can send us.
Inline SVG also bypasses HTML escaping, and WeasyPrint resolves `href`, `xlink:href` and CSS
`url()` inside it. So we keep only drawing: no scripts, no event handlers, no foreign content,
no references that leave the document (only `#fragment` links to gradients, clips and glyphs
defined inside the same SVG survive).

CSS is removed altogether: `style` attributes become SVG presentation attributes and `<style>`
elements are dropped. Besides closing the `@import`/`url()` route, this matters for WeasyPrint:
an inline SVG's CSS goes through the HTML style machinery, which warns on every SVG-only
property (`fill`, `stroke-linejoin`), and a clean render must have no warnings.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Final

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_SVG: Final = "{" + SVG_NS + "}"
_XLINK: Final = "{" + XLINK_NS + "}"

_DROP_ELEMENTS = frozenset({"script", "foreignObject", "iframe", "object", "embed", "image"})
_PROLOG = re.compile(r"^\s*(<\?xml[^>]*\?>)?\s*(<!DOCTYPE[^>\[]*>)?\s*", re.IGNORECASE)
# url(...) whose target is not a same-document fragment.
_REMOTE_URL = re.compile(r"url\(\s*['\"]?\s*(?!#)", re.IGNORECASE)
_IMPORT = re.compile(r"@import", re.IGNORECASE)


class SvgError(ValueError):
    """Chart SVG that cannot be made safe (not SVG, or uses DTD entities)."""


def sanitize_svg(text: str, id_prefix: str = "") -> str:
    """Return SVG markup safe to inline. Raises `SvgError` on input we refuse to parse.

    `id_prefix` renames every id and `#fragment` reference: matplotlib reuses ids such as
    glyph and clip-path names in every figure, and two charts inlined in one HTML document
    would otherwise share (and cross-resolve) them.
    """
    body = _PROLOG.sub("", text, count=1)
    # Entity declarations are the XML bomb / external entity vector; matplotlib never emits an
    # internal subset, so any DOCTYPE left after the prolog strip is refused outright.
    if re.search(r"<!(DOCTYPE|ENTITY)", body, re.IGNORECASE):
        raise SvgError("SVG with a DTD or entity declarations is refused")
    try:
        root = ET.fromstring(body)  # noqa: S314  (no DTD can reach the parser, see above)
    except ET.ParseError as exc:
        raise SvgError(f"chart is not well-formed XML: {exc}") from None
    if _local(root.tag) != "svg":
        raise SvgError("chart is not an <svg> document")
    _clean(root)
    if id_prefix:
        _prefix_ids(root, id_prefix)
    _plain_names(root)
    return ET.tostring(root, encoding="unicode")


def _plain_names(root: ET.Element) -> None:
    """SVG tags and xlink attributes as plain names, their namespaces declared on the root.

    Not left to ElementTree's prefix registry: it is global, and importing WeasyPrint (its
    PDF metadata module) re-registers the empty prefix, which silently dropped the SVG
    default; charts then came out as <ns0:svg>, which an HTML page does not draw.
    """
    uses_xlink = False
    for element in root.iter():
        if element.tag.startswith(_SVG):
            element.tag = element.tag[len(_SVG) :]
        for key in [key for key in element.attrib if key.startswith(_XLINK)]:
            element.attrib["xlink:" + key[len(_XLINK) :]] = element.attrib.pop(key)
            uses_xlink = True
    root.set("xmlns", SVG_NS)
    if uses_xlink:
        root.set("xmlns:xlink", XLINK_NS)


def _local(name: str) -> str:
    return name.rpartition("}")[2]


def _clean(element: ET.Element) -> None:
    for child in list(element):
        tag = child.tag if isinstance(child.tag, str) else ""
        if not tag or _local(tag) in _DROP_ELEMENTS:
            element.remove(child)
            continue
        if _local(tag) == "style":
            element.remove(child)
            continue
        _clean(child)
    style = element.attrib.pop("style", "")
    for declaration in style.split(";"):
        prop, sep, value = declaration.partition(":")
        prop, value = prop.strip(), value.strip()
        if sep and _PROPERTY.fullmatch(prop) and prop not in element.attrib:
            element.attrib[prop] = value
    for name, value in list(element.attrib.items()):
        if _unsafe_attribute(_local(name).lower(), value):
            del element.attrib[name]


_PROPERTY = re.compile(r"[a-z][a-z-]{0,40}")


def _unsafe_attribute(local: str, value: str) -> bool:
    if local.startswith("on"):
        return True
    if local == "href":
        return not value.strip().startswith("#")
    return bool(_REMOTE_URL.search(value) or _IMPORT.search(value))


_FRAGMENT_URL = re.compile(r"url\(\s*(['\"]?)\s*#")


def _prefix_ids(root: ET.Element, prefix: str) -> None:
    for element in root.iter():
        for name, value in list(element.attrib.items()):
            local = _local(name)
            if local == "id":
                element.attrib[name] = prefix + value
            elif local == "href" and value.startswith("#"):
                element.attrib[name] = "#" + prefix + value[1:]
            elif "url(" in value:
                element.attrib[name] = _FRAGMENT_URL.sub(rf"url(\1#{prefix}", value)
