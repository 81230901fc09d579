"""The drift rules a reviewer applies to two runs of one domain (see `DriftRule.why`).

Each rule fires only on what both runs observed: an unknown value (a timeout) never fires one.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from assessment.diff.model import Drift, DriftRule
from assessment.diff.records import UNKNOWN, DomainRecords, LeafCert, same_policy
from assessment.records.mtasts import StsMode, StsPolicy, mx_pattern_matches


def _policy_delta(before: StsPolicy, after: StsPolicy) -> str:
    parts = []
    if before.mode != after.mode:
        parts.append(f"mode {_v(before.mode)} -> {_v(after.mode)}")
    if before.max_age != after.max_age:
        parts.append(f"max_age {before.max_age} -> {after.max_age}")
    old = {p.pattern for p in before.mx}
    new = {p.pattern for p in after.mx}
    if new - old:
        parts.append("mx added: " + ", ".join(sorted(new - old)))
    if old - new:
        parts.append("mx removed: " + ", ".join(sorted(old - new)))
    return "; ".join(parts) or "its text"


def _v(mode: StsMode | None) -> str:
    return mode.value if mode is not None else "(none)"


def policy_changed_id_same(before: DomainRecords, after: DomainRecords) -> Iterator[Drift]:
    old_text, new_text = before.policy_text, after.policy_text
    old_id, new_id = before.sts_id, after.sts_id
    if not (isinstance(old_text, str) and isinstance(new_text, str)):
        return
    if not isinstance(new_id, str) or old_id != new_id or same_policy(old_text, new_text):
        return
    assert before.policy is not None and after.policy is not None
    delta = _policy_delta(before.policy, after.policy)
    yield Drift(
        DriftRule.POLICY_CHANGED_ID_SAME,
        after.domain,
        f"_mta-sts.{after.domain}",
        f"The policy at mta-sts.{after.domain} changed ({delta}) while the _mta-sts TXT id "
        f"stayed {new_id}.",
    )


def mx_changed_policy_same(before: DomainRecords, after: DomainRecords) -> Iterator[Drift]:
    """Fires when the MX set moved, the policy text did not, and the unchanged policy no longer
    describes the MX set: a new host it does not match, or a line that matched only removed
    hosts. A move within what the policy already covers (a new host under its wildcard) is
    fine and does not fire."""
    old_hosts, new_hosts = before.mx_hosts, after.mx_hosts
    old_text, new_text = before.policy_text, after.policy_text
    policy = after.policy
    if old_hosts is None or new_hosts is None or old_hosts == new_hosts or policy is None:
        return
    if not (isinstance(old_text, str) and isinstance(new_text, str)):
        return
    if not same_policy(old_text, new_text) or not policy.mx:
        return
    added, removed = sorted(new_hosts - old_hosts), sorted(old_hosts - new_hosts)
    uncovered = [host for host in added if not policy.matches(host)]
    stale = [
        p.pattern
        for p in policy.mx
        if p.valid
        and not any(mx_pattern_matches(p.pattern, h) for h in new_hosts)
        and any(mx_pattern_matches(p.pattern, h) for h in removed)
    ]
    if not uncovered and not stale:
        return
    moved = "; ".join(
        part
        for part in (
            f"added {', '.join(added)}" if added else "",
            f"removed {', '.join(removed)}" if removed else "",
        )
        if part
    )
    problems = []
    if uncovered:
        problems.append(f"it matches no line for {', '.join(uncovered)}")
    if stale:
        problems.append(f"its line(s) mx: {', mx: '.join(stale)} matched only removed hosts")
    yield Drift(
        DriftRule.MX_CHANGED_POLICY_SAME,
        after.domain,
        after.domain,
        f"The MX records changed ({moved}) but the MTA-STS policy did not: "
        + " and ".join(problems)
        + ".",
    )


def _within(cert: LeafCert, policy: StsPolicy | None) -> bool:
    if policy is None or policy.mode is not StsMode.ENFORCE or not policy.max_age:
        return False
    return cert.expires < cert.observed_at + timedelta(seconds=policy.max_age)


def cert_expires_within_max_age(before: DomainRecords, after: DomainRecords) -> Iterator[Drift]:
    """Fires for an MX certificate that, in the later run, expires before an enforced policy
    fetched at that moment would expire, when that was not so in the earlier run: the
    certificate was not renewed in time, max_age was raised past it, or enforce began."""
    policy = after.policy
    if policy is None or policy.max_age is None:
        return
    for host in sorted(after.certificates):
        cert = after.certificates[host]
        if after.mx_hosts is not None and host not in after.mx_hosts:
            continue
        if not _within(cert, policy):
            continue
        earlier = before.certificates.get(host)
        if earlier is not None and _within(earlier, before.policy):
            continue
        days = (cert.expires - cert.observed_at).days
        yield Drift(
            DriftRule.CERT_EXPIRES_WITHIN_MAX_AGE,
            after.domain,
            host,
            f"The certificate of {host} expires on {cert.expires:%Y-%m-%d}, {days} days after "
            f"this assessment, inside the enforced policy's max_age of "
            f"{policy.max_age // 86400} days.",
        )


def dkim_keys(before: DomainRecords, after: DomainRecords) -> Iterator[Drift]:
    for selector, old in before.dkim.items():
        new = after.dkim.get(selector, UNKNOWN)
        if old is UNKNOWN or old is None or new is UNKNOWN or not old.public_key:
            continue
        name = f"{selector}._domainkey.{after.domain}"
        if new is None or not new.public_key:
            state = "is revoked (empty p=)" if new is not None else "is no longer published"
            yield Drift(
                DriftRule.DKIM_KEY_GONE,
                after.domain,
                selector,
                f"The DKIM key at {name} ({old.shown}) {state}.",
            )
        elif new.public_key != old.public_key:
            yield Drift(
                DriftRule.DKIM_KEY_REPLACED,
                after.domain,
                selector,
                f"The DKIM key at {name} was replaced: {old.shown} -> {new.shown}.",
            )


RULES = (policy_changed_id_same, mx_changed_policy_same, cert_expires_within_max_age, dkim_keys)


def drift(before: DomainRecords, after: DomainRecords) -> list[Drift]:
    return [item for rule in RULES for item in rule(before, after)]
