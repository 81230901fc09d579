"""DKIM key records (RFC 6376 §3.6.1, RFC 8301, RFC 8463) at the selectors probed.

Selectors cannot be listed (RFC 6376 §3.6.2.1): not finding a key is "not verified", never
"DKIM missing".
"""

from __future__ import annotations

from assessment.checks import describe
from assessment.checks.context import DomainContext
from assessment.checks.findings import FindingSink
from assessment.model import Severity
from assessment.records.dkim import DkimKey, KeyType, parse_dkim_key
from assessment.records.problem import DkimCode, ProblemLevel

# Problems with a dedicated finding; everything else maps by level.
_OWN = frozenset(
    {DkimCode.REVOKED, DkimCode.RSA_TOO_SHORT, DkimCode.SHA1_ONLY, DkimCode.SERVICE_NOT_EMAIL}
)


def _is_key_record(text: str) -> bool:
    # A key record has p= (possibly empty); v=DKIM1 is optional (RFC 6376 §3.6.1).
    lowered = text.lower()
    return "p=" in lowered and "v=spf1" not in lowered and "v=dmarc1" not in lowered


def _key_records(ctx: DomainContext, name: str) -> list[str]:
    return [text for text in ctx.txt(name) if _is_key_record(text)]


def found_keys(ctx: DomainContext) -> list[tuple[str, str, DkimKey]]:
    """(selector, lookup name, parsed key) for every selector that answered with one key.

    A selector with several key records is ambiguous to verifiers and reported on its own.
    """
    keys = []
    for selector in ctx.ev.dkim_selectors:
        name = f"{selector}._domainkey.{ctx.domain}"
        records = _key_records(ctx, name)
        if len(records) == 1:
            keys.append((selector, name, parse_dkim_key(records[0])))
    return keys


def _judge(
    out: FindingSink, name: str, key: DkimKey, evidence: list[str], via: str, alone: str | None
) -> None:
    """Findings for one key; `alone` lists the selectors tried when no key found is usable."""
    for problem in key.problems:
        if problem.code in _OWN:
            continue
        code = "DKIM_KEY_NOTE" if problem.level is ProblemLevel.INFO else "DKIM_KEY_SYNTAX"
        # Warning-level defects work with most verifiers (e.g. a bare PKCS#1 key): medium.
        severity = Severity.MEDIUM if problem.level is ProblemLevel.WARNING else None
        out.add(code, evidence=evidence, name=name, problem=problem.message, severity=severity)
    if key.revoked:
        if alone is not None:
            # Severity follows the effect: with no usable key anywhere it is the
            # missing-DKIM situation, not the hygiene note of a retired selector.
            out.add("DKIM_REVOKED_NO_OTHER_KEY", evidence=evidence, name=name, selectors=alone)
        else:
            out.add("DKIM_KEY_REVOKED", evidence=evidence, name=name)
        return
    bits = key.key_bits
    if key.key_type is KeyType.RSA and bits is not None:
        if bits < 1024:
            out.add("DKIM_KEY_TOO_SHORT", evidence=evidence, name=name, bits=bits)
        elif bits < 2048:
            out.add("DKIM_KEY_WEAK", evidence=evidence, name=name, bits=bits)
        elif bits > 4096:
            out.add("DKIM_KEY_TOO_LONG", evidence=evidence, name=name, bits=bits)
    if key.testing:
        out.add("DKIM_TESTING", evidence=evidence, name=name)
    if key.hash_algs and all(h == "sha1" for h in key.hash_algs):
        out.add("DKIM_SHA1_ONLY", evidence=evidence, name=name, hashes=":".join(key.hash_algs))
    if key.service_types and not {"*", "email"} & set(key.service_types):
        out.add(
            "DKIM_NOT_EMAIL", evidence=evidence, name=name, services=":".join(key.service_types)
        )
    if key.usable and (bits is None or bits >= 1024):
        out.add(
            "DKIM_KEY_OK",
            evidence=evidence,
            name=name,
            key_type=key.key_type.value.upper() if key.key_type is KeyType.RSA else "Ed25519",
            bits=bits if bits is not None else "?",
            via=via,
        )


def check(ctx: DomainContext, out: FindingSink) -> None:
    if ctx.domain_missing or not ctx.ev.dkim_selectors:
        return
    for selector in ctx.ev.dkim_selectors:
        name = f"{selector}._domainkey.{ctx.domain}"
        records = _key_records(ctx, name)
        item = ctx.lookup(name, "TXT")
        if len(records) > 1 and item is not None:
            out.add(
                "DKIM_MULTIPLE_RECORDS",
                evidence=[describe.lookup(item)],
                name=name,
                count=len(records),
            )
    keys = found_keys(ctx)
    # A parked domain may revoke every selector on purpose (the M3AAWG parked-domain
    # `*._domainkey` revoke): only a domain that sends mail loses anything.
    alone = _tried(ctx) if ctx.receives_mail and not any(key.usable for _, _, key in keys) else None
    for _selector, name, key in keys:
        item = ctx.lookup(name, "TXT")
        evidence = [describe.lookup(item)] if item is not None else []
        via = f" (CNAME to {item.cname_chain[-1]})" if item and item.cname_chain else ""
        _judge(out, name, key, evidence, via, alone)
    if keys or out.codes() & {"DKIM_MULTIPLE_RECORDS"}:
        return
    failed = {
        selector: item
        for selector in ctx.ev.dkim_selectors
        if (item := ctx.lookup(f"{selector}._domainkey.{ctx.domain}", "TXT")) is not None
        and item.outcome.inconclusive
    }
    # A failed lookup at a selector the client named, or failures everywhere, leave the
    # question open: "not verified" would be a verdict the evidence cannot carry.
    reported = [s for s in failed if s in ctx.ev.client_selectors]
    if not reported and failed and len(failed) == len(ctx.ev.dkim_selectors):
        reported = list(failed)[:1]
    for selector in reported:
        item = failed[selector]
        out.add(
            "DKIM_INCONCLUSIVE",
            evidence=[describe.lookup(item)],
            name=item.name,
            outcome=item.outcome.value,
        )
    if reported or not ctx.receives_mail:
        return
    tried = list(ctx.ev.dkim_selectors)
    out.add(
        "DKIM_NOT_VERIFIED",
        evidence=[f"selectors tried: {', '.join(tried)}"],
        count=len(tried),
        selectors=_tried(ctx),
    )


def _tried(ctx: DomainContext) -> str:
    tried = ctx.ev.dkim_selectors
    return ", ".join(tried[:8]) + (" ..." if len(tried) > 8 else "")
