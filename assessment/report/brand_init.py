"""``mailposture brand init``: write the consultant's own brand, `<data>/brand.toml`.

On a terminal it asks for what the flags did not give; in a script the flags are the whole
input (`--firm` and `--name` are then required). The file it writes is commented so it can be
edited by hand afterwards, is read back with the same loader the renderer uses before it is
kept, and a logo is copied beside it so the data folder holds everything a report needs.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, TextIO

from assessment.report.brand import (
    BrandError,
    consultant_brand_file,
    load_brand,
)
from assessment.workspace import write_atomic

LOGO_STEM: Final = "brand-logo"
_LOGO_SUFFIXES: Final = (".svg", ".png", ".jpg", ".jpeg")

Ask = Callable[[str], str]
"""Reads one answer for a prompt (``input`` on a terminal; a stub in tests)."""


class BrandInitError(ValueError):
    """Why the brand could not be written; one line."""


@dataclass(frozen=True)
class BrandAnswers:
    firm: str
    name: str
    email: str = ""
    phone: str = ""
    web: str = ""
    tagline: str = ""
    address: tuple[str, ...] = ()
    country: str = ""
    logo: Path | None = None
    """The logo file to copy beside brand.toml."""


def add_brand_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Register ``brand init`` under the main CLI."""
    brand = subparsers.add_parser("brand", help="your consultancy's brand on every report")
    actions = brand.add_subparsers(dest="brand_command", required=True, metavar="{init}")
    init = actions.add_parser(
        "init",
        help="write <data>/brand.toml (asks on a terminal; flags for scripts)",
        description="Write your brand (firm, contact, logo) to <data>/brand.toml. Every "
        "report made from this data folder carries it; without it reports are unbranded.",
    )
    init.add_argument("--firm", help="your firm's name, as printed on the cover")
    init.add_argument("--name", help="who signs the report, e.g. 'Sam Lee, Principal'")
    init.add_argument("--email", default=None, help="contact email printed on the report")
    init.add_argument("--phone", default=None, help="contact phone printed on the report")
    init.add_argument("--web", default=None, help="web site, e.g. example.com")
    init.add_argument("--tagline", default=None, help="one line under the firm's name")
    init.add_argument(
        "--address",
        action="append",
        default=None,
        metavar="LINE",
        help="one line of the postal address (repeat for each line)",
    )
    init.add_argument("--country", default=None, help="your clients' usual country, e.g. GB")
    init.add_argument("--logo", default=None, metavar="FILE", help="SVG, PNG or JPEG logo")
    init.add_argument("--force", action="store_true", help="replace an existing brand.toml")
    init.set_defaults(handler=run_init)


def run_init(args: argparse.Namespace) -> int:
    data = Path(args.data)
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    try:
        target = consultant_brand_file(data)
        if target.exists() and not args.force:
            raise BrandInitError(f"{target} exists; use --force to replace it")
        answers = answers_from(args, input if interactive else None, sys.stdout)
        written = write_brand(data, answers, force=args.force)
    except BrandInitError as exc:
        print(f"mailposture brand: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    print(written)
    return 0


def answers_from(args: argparse.Namespace, ask: Ask | None, out: TextIO) -> BrandAnswers:
    """The flags, completed by prompts when `ask` is given (a terminal)."""
    if ask is None:
        missing = [flag for flag in ("firm", "name") if not (getattr(args, flag) or "").strip()]
        if missing:
            raise BrandInitError(
                " and ".join(f"--{m}" for m in missing) + " required when not on a terminal"
            )
    else:
        print(
            "Your brand goes on every report made from this data folder. Press Enter to "
            "leave an optional item out.",
            file=out,
        )

    def value(flag: str, prompt: str, *, required: bool = False) -> str:
        given: str | None = getattr(args, flag)
        if given is not None or ask is None:
            return _line(given or "", flag)
        while True:
            answer = _line(ask(f"{prompt}: "), flag)
            if answer or not required:
                return answer
            print(f"  {prompt} is required.", file=out)

    firm = value("firm", "Firm name", required=True)
    name = value("name", "Your name and title (signs the report)", required=True)
    email = value("email", "E-mail")
    phone = value("phone", "Phone")
    web = value("web", "Web site")
    tagline = value("tagline", "Tagline under the firm's name")
    address = _address(args.address, ask, out)
    country = value("country", "Your clients' usual country, two letters (e.g. GB)").upper()
    logo_text = value("logo", "Logo file (SVG, PNG or JPEG)")
    return BrandAnswers(
        firm=firm,
        name=name,
        email=email,
        phone=phone,
        web=web,
        tagline=tagline,
        address=address,
        country=country,
        logo=Path(logo_text).expanduser() if logo_text else None,
    )


def _address(given: Sequence[str] | None, ask: Ask | None, out: TextIO) -> tuple[str, ...]:
    if given is not None or ask is None:
        return tuple(line for line in (_line(g, "address") for g in given or ()) if line)
    print("Postal address, one line at a time; an empty line ends it.", file=out)
    lines: list[str] = []
    while len(lines) < 8:
        line = _line(ask(f"  Address line {len(lines) + 1}: "), "address")
        if not line:
            break
        lines.append(line)
    return tuple(lines)


def _line(text: str, what: str) -> str:
    text = text.strip()
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in text):
        raise BrandInitError(f"{what}: control characters are not allowed")
    return text


def write_brand(data_dir: Path, answers: BrandAnswers, *, force: bool = False) -> Path:
    """Write `<data_dir>/brand.toml` (and the logo beside it); returns the brand file.

    The new file is loaded with the renderer's own loader before anything is replaced, so a
    bad value (a country code, a logo of the wrong type) leaves an existing brand untouched.
    """
    target = consultant_brand_file(data_dir)
    if target.exists() and not force:
        raise BrandInitError(f"{target} exists; use --force to replace it")
    if not answers.firm or not answers.name:
        raise BrandInitError("a brand needs the firm's name and the name of who signs")
    logo_name = ""
    if answers.logo is not None:
        logo = answers.logo
        if logo.suffix.lower() not in _LOGO_SUFFIXES:
            raise BrandInitError(f"{logo}: the logo must be {', '.join(_LOGO_SUFFIXES)}")
        if not logo.is_file():
            raise BrandInitError(f"{logo}: no such file")
        logo_name = LOGO_STEM + logo.suffix.lower()
    text = brand_toml(answers, logo_name)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Checked in a scratch folder beside the target with the renderer's own loader, so a value
    # it would refuse never replaces a brand that works.
    with tempfile.TemporaryDirectory(prefix=".brand-init-", dir=target.parent) as scratch:
        trial = Path(scratch) / target.name
        trial.write_text(text, encoding="utf-8")
        if answers.logo is not None:
            shutil.copyfile(answers.logo, Path(scratch) / logo_name)
        try:
            load_brand(trial)
        except BrandError as exc:
            raise BrandInitError(str(exc).replace(str(trial), str(target))) from None
        if answers.logo is not None:
            for old in target.parent.glob(LOGO_STEM + ".*"):
                old.unlink()
            (Path(scratch) / logo_name).replace(target.with_name(logo_name))
        write_atomic(target, text)
    return target


def toml_string(text: str) -> str:
    """`text` as a TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for char in text:
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _optional(key: str, value: str, note: str, example: str) -> str:
    if value:
        return f"{key} = {toml_string(value)}{note}"
    return f"# {key} = {toml_string(example)}{note}"


def brand_toml(answers: BrandAnswers, logo_name: str = "") -> str:
    """The commented brand.toml for `answers`."""
    stamp = datetime.now(UTC).date().isoformat()
    address = ", ".join(toml_string(line) for line in answers.address)
    lines = [
        "# Your consultancy's brand: every report made from this data folder carries it.",
        f"# Written by `mailposture brand init` on {stamp}; edit it by hand as you like, and",
        "# re-render a run (`mailposture report --run DIR`) to see the result.",
        "#",
        "# Identity travels together. firm, tagline, logo, footer, disclaimer and [contact] say",
        "# whose report it is, and are never mixed with another file's. A client's own",
        "# clients/<slug>/brand.toml that sets any of them replaces this whole identity for that",
        "# client (so it must give at least firm and contact.name); keys it leaves out are then",
        "# empty, not taken from here. Colours, fonts and country merge key by key instead.",
        "# Paths are relative to this file. See docs/user-guide.md, 'Your brand'.",
        "",
        f"firm = {toml_string(answers.firm)}",
        _optional("tagline", answers.tagline, "", "Practical email security"),
        _optional("logo", logo_name, "  # SVG, PNG or JPEG beside this file", "brand-logo.svg"),
        "# footer = "
        + toml_string("Confidential. Prepared for the named client only.")
        + "  # every page",
        "# disclaimer = "
        + toml_string("...")
        + "  # the report's closing paragraph (default: the kit's neutral text)",
        _optional(
            "country",
            answers.country,
            "  # your clients' usual country (ISO 3166-1 alpha-2)",
            "GB",
        ),
        "",
        "[contact]",
        f"name = {toml_string(answers.name)}  # signs the report: 'Prepared by ...'",
        _optional("email", answers.email, "", "you@example.com"),
        _optional("phone", answers.phone, "", "+44 20 7946 0000"),
        _optional("web", answers.web, "", "example.com"),
        f"address = [{address}]" if answers.address else '# address = ["Line 1", "Line 2"]',
        "",
        "# The kit's colours unless set here (#rrggbb); the fonts are IBM Plex.",
        "# [colours]",
        '# primary = "#1d3557"  # headings, cover band',
        '# accent = "#2a9d8f"   # rules and highlights',
        "",
    ]
    return "\n".join(lines)
