"""Records mailposture recommends publishing, written once and quoted everywhere.

The findings' fixes, the rollout plan and its generated artifacts must give the client the
same text, or the client gets two answers to one question.
"""

from __future__ import annotations

PARKED_SPF = "v=spf1 -all"
"""SPF for a domain that never sends mail (RFC 7208 §10.1.2, M3AAWG parked-domain BCP)."""

PARKED_DMARC = "v=DMARC1; p=reject; sp=reject; adkim=s; aspf=s"
"""DMARC for a domain that never sends mail: reject everything, subdomains included."""

NULL_MX = "0 ."
"""RFC 7505 null MX RDATA."""

PARKED_DKIM = "v=DKIM1; p="
"""A revoked DKIM key (RFC 6376 §3.6.1: an empty p=), published at `*._domainkey` of a domain
that sends no mail, so no signature in its name can verify (M3AAWG parked-domain practice)."""
