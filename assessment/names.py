"""One domain-name value for the whole kit: how a name typed by a consultant, read from DNS or
found in a report becomes the one form that is queried, stored, compared and printed.

IDNA policy: UTS #46 mapping, non-transitional, then IDNA 2008 A-labels (RFC 5891), as the
registries (DENIC has registered `ß` since 2010) and today's browsers do. `straße.de` is
`xn--strae-oqa.de`; Python's built-in "idna" codec (IDNA 2003) would give `strasse.de`, a
different domain with a different owner, so it is never used.

Labels may hold `_` (service labels such as `_dmarc`, `_mta-sts`), which IDNA refuses, so ASCII
labels are checked against LDH-plus-underscore and only non-ASCII labels go through IDNA.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache

import idna

__all__ = ["DomainName", "DomainNameError", "normalise", "to_ascii"]

_ASCII_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
_MAX_NAME = 253
"""RFC 1035 §2.3.4: 255 octets on the wire, so 253 characters in text without the root dot."""


class DomainNameError(ValueError):
    """Text that is not a usable domain name; the message is one line naming why."""


def _label_to_ascii(label: str, text: str) -> str:
    if len(label) > 63:
        raise DomainNameError(
            f"{text!r} is too long for a domain name (a label over 63 characters)"
        )
    if label.isascii():
        if not _ASCII_LABEL.fullmatch(label):
            raise DomainNameError(f"{text!r} is not a domain name (label {label!r})")
        return label
    try:
        return idna.alabel(label).decode("ascii")
    except idna.IDNAError as exc:
        raise DomainNameError(f"{text!r} is not a valid internationalised name: {exc}") from None


@lru_cache(maxsize=8192)
def to_ascii(text: str) -> str:
    """A-label form of any name (one label is enough); `DomainNameError` if it is not one."""
    raw = text.strip()
    if raw.endswith("."):
        raw = raw[:-1]
    if not raw:
        raise DomainNameError("an empty domain name")
    try:
        # UTS #46 maps case, width and the ideographic full stop before labels are split.
        mapped = idna.uts46_remap(raw, std3_rules=False, transitional=False)
    except idna.IDNAError as exc:
        raise DomainNameError(f"{text!r} is not a domain name: {exc}") from None
    labels = mapped.split(".")
    if any(not label for label in labels):
        raise DomainNameError(f"{text!r} is not a domain name (empty label)")
    name = ".".join(_label_to_ascii(label, text) for label in labels)
    if len(name) > _MAX_NAME or any(len(label) > 63 for label in name.split(".")):
        raise DomainNameError(f"{text!r} is too long for a domain name")
    return name


@dataclass(frozen=True, order=True)
class DomainName:
    """A domain name in A-label form: lower case, no trailing dot."""

    ascii: str

    @classmethod
    def parse(cls, text: str) -> DomainName:
        """A domain a consultant can assess: at least two labels, not an IP address.

        Raises `DomainNameError` with a one-line reason.
        """
        try:
            ipaddress.ip_address(text.strip().strip("[]"))
        except ValueError:
            pass
        else:
            raise DomainNameError(f"{text!r} is an IP address; give the client's domain name")
        name = to_ascii(text)
        labels = name.split(".")
        if len(labels) < 2:
            raise DomainNameError(
                f"{text!r} is not a domain name (it needs a dot, e.g. example.com)"
            )
        if labels[-1].isdigit():
            # No top-level domain is numeric (RFC 3696 §2); 10.1.2 is a mistyped address.
            raise DomainNameError(f"{text!r} is not a domain name (numeric top-level label)")
        if any(label.startswith("-") or label.endswith("-") for label in labels):
            raise DomainNameError(f"{text!r} is not a domain name (a label starts or ends with -)")
        return cls(name)

    @property
    def unicode(self) -> str:
        """The name as people read it (U-labels), for the report."""
        try:
            return idna.decode(self.ascii)
        except idna.IDNAError:
            return self.ascii

    def __str__(self) -> str:
        return self.ascii


def normalise(text: str) -> str:
    """Lenient A-label form for names from DNS, reports and files: never raises.

    Hostile or malformed text comes back stripped and lower-cased as written, so it can still
    be shown and compared, and never matches a real name by accident.
    """
    try:
        return to_ascii(text)
    except DomainNameError:
        return text.strip().rstrip(".").lower()
