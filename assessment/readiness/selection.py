"""Which instruments a client's notes show: by the client's country, plus what it opts into.

The defaults follow the research note's table "Which frameworks to show by default (by the
client's country)" (an inference, [I]). The bulk-sender rules are shown for every country as the
deliverability lens. US federal instruments are never shown unless opted in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from assessment.readiness.instruments import (
    BY_KEY,
    DELIVERABILITY,
    FEDERAL,
    INSTRUMENTS,
    INSURANCE,
    VENDOR,
)
from assessment.readiness.sources import Instrument


@dataclass(frozen=True)
class Region:
    code: str
    """ISO 3166-1 alpha-2."""
    name: str
    """As it reads after "a client in": "the United Kingdom"."""
    default: tuple[str, ...]
    opt_in: tuple[str, ...]
    statements: tuple[str, ...] = ()
    """Instruments shown as a statement only (what they do not ask for)."""


REGIONS: Mapping[str, Region] = {
    r.code: r
    for r in (
        Region(
            "GB",
            "the United Kingdom",
            (*INSURANCE, "ncsc"),
            # PCI DSS only where cards are taken, GOV.UK/MoJ only for the public sector:
            # neither can be known from here, so both are offered rather than assumed.
            ("pci", "govuk", "cis", "nist"),
            ("cyber-essentials",),
        ),
        Region("US", "the United States", (*INSURANCE, "cis", "nist", "pci"), FEDERAL),
        Region("AU", "Australia", ("ism",), ("cis", *INSURANCE), ("essential-eight",)),
        Region("DE", "Germany", ("bsi-tr03108", "bsi-grundschutz", "cis"), ("nist", *INSURANCE)),
        Region("CA", "Canada", ("cccs",), ("cis", "nist", *INSURANCE)),
    )
}
NEUTRAL: tuple[str, ...] = (*INSURANCE, "cis")
ALIASES: Mapping[str, str] = {"UK": "GB"}
"""Common non-ISO spellings of a country code."""
GROUPS: Mapping[str, tuple[str, ...]] = {
    "insurance": INSURANCE,
    "federal": FEDERAL,
    "us-federal": FEDERAL,
    "vendor": VENDOR,
    "bulk": DELIVERABILITY,
    "bsi": ("bsi-tr03108", "bsi-grundschutz"),
}


@dataclass(frozen=True)
class Selection:
    instruments: tuple[Instrument, ...]
    """Shown with items, in the catalogue's order."""
    statements: tuple[Instrument, ...]
    """Shown as a statement only."""
    available: tuple[Instrument, ...]
    """Offered to the client's country but not chosen; named so the reader can ask."""
    basis: str
    """Which set was used and why, in one or two sentences."""
    unknown: tuple[str, ...] = ()
    """Opt-in names that match nothing (a typo in client.toml)."""

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(i.key for i in self.instruments)


def known_opt_ins() -> tuple[str, ...]:
    """Every name `ClientConfig.frameworks` may use: region codes, groups, instrument keys."""
    names = {c.lower() for c in REGIONS} | {a.lower() for a in ALIASES} | set(GROUPS)
    return tuple(sorted(names | {i.key for i in INSTRUMENTS}))


def _expand(token: str) -> tuple[str, ...] | None:
    name = token.strip().lower()
    code = ALIASES.get(name.upper(), name.upper())
    if code in REGIONS:
        region = REGIONS[code]
        return (*region.default, *region.statements)
    if name in GROUPS:
        return GROUPS[name]
    if name in BY_KEY:
        return (name,)
    return None


def select_instruments(country: str = "", opt_in: Iterable[str] = ()) -> Selection:
    """The instruments for a client in `country` (ISO alpha-2, "" when unknown), plus `opt_in`
    (region codes such as "us", group names such as "us-federal", or instrument keys)."""
    code = ALIASES.get(country.strip().upper(), country.strip().upper())
    region = REGIONS.get(code)
    chosen: set[str] = set(region.default if region else NEUTRAL) | set(DELIVERABILITY)
    statements: set[str] = set(region.statements if region else ())
    unknown: list[str] = []
    added: list[str] = []
    for token in opt_in:
        keys = _expand(token)
        if keys is None:
            unknown.append(token)
            continue
        added.append(token.strip())
        for key in keys:
            (statements if BY_KEY[key].statement else chosen).add(key)
    offered = set(region.opt_in if region else FEDERAL) - chosen
    return Selection(
        instruments=tuple(i for i in INSTRUMENTS if i.key in chosen),
        statements=tuple(i for i in INSTRUMENTS if i.key in statements),
        available=tuple(i for i in INSTRUMENTS if i.key in offered),
        basis=_basis(country.strip(), region, added),
        unknown=tuple(unknown),
    )


def _basis(country: str, region: Region | None, added: list[str]) -> str:
    extra = f" Added at the client's request: {', '.join(added)}." if added else ""
    if region is not None:
        return f"Chosen for a client in {region.name}.{extra}"
    neutral = (
        "a neutral set: insurers' questions and scans, the CIS Controls and the mailbox "
        "providers' sender rules"
    )
    if country:
        return (
            f"No framework set is defined for country {country.upper()}, so the notes use "
            f"{neutral}.{extra}"
        )
    return f"No country is set for this client, so the notes use {neutral}.{extra}"
