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
