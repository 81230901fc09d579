"""Who sends mail as the client: every report row classified, then grouped by sender.

Pure pandas over the store's ``Frames``; no I/O. Every function accepts empty frames.

Each record (messages from one source IP with one set of results) gets:

- ``passes``: whether it passed DMARC. The reporter's own ``policy_evaluated``
  verdict decides (it is what that receiver enforces: DKIM or SPF ``pass``);
  where a reporter left it out, the alignment recomputed here from
  ``auth_results`` (``dkim_aligned``/``spf_aligned``, relaxed or strict as the
  report's ``policy_published`` says) stands in. The gate reports disagreements.
- ``service``: the sending service recognised from its DKIM and SPF domains
  (``assessment.dmarc.services``), or "" when none is.
- ``category``, one of ``Category``:

  ``aligned``        passed DMARC;
  ``forwarded``      a forwarder or mailing list: the reporter says so
                     (``forwarded``, ``trusted_forwarder``, ``mailing_list``), an
                     ARC chain passed (``local_policy`` with ``arc=pass``), a
                     signature with a selector that passes elsewhere broke in
                     transit, or DKIM carried the message while SPF failed from an
                     address that never passed SPF for the domain;
  ``service``        failed DMARC, sent by a recognised service (a sender to fix);
  ``unknown``        failed DMARC, sender not recognised (the gate decides whether
                     it is an unexplained sender to identify or background spoofing);
  ``not-ours``       failed DMARC from a source the client said it does not use;
  ``other-domain``   the From domain is not the report's domain or a subdomain of it.

Forwarded rows are kept apart: failing forwarded mail neither counts as the
client's legitimate mail nor blocks enforcement (DMARC failures of forwarded mail
are inherent; ARC and DKIM, not the client, fix them). Forwarded mail that passes
still counts as passing mail.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from enum import StrEnum
from typing import Any, Final

import pandas as pd

from assessment.dmarc.alignment import aligned, org_domain, within
from assessment.dmarc.frames import Frames
from assessment.dmarc.services import BY_ID, by_dkim_domain, by_selector, by_spf_domain

FORWARDING_TYPES: Final = frozenset({"forwarded", "trusted_forwarder", "mailing_list"})
_ARC_PASS: Final = re.compile(r"\barc\s*=\s*pass\b|trusted arc", re.IGNORECASE)
_KEY: Final = ["report_pk", "record_index"]


class Category(StrEnum):
    ALIGNED = "aligned"
    FORWARDED = "forwarded"
    SERVICE = "service"
    UNKNOWN = "unknown"
    NOT_OURS = "not-ours"
    OTHER_DOMAIN = "other-domain"
    # Sender-level refinements of UNKNOWN (``senders``, the gate): sustained or sporadic.
    UNEXPLAINED = "unexplained"
    UNAUTHENTICATED = "unauthenticated"

    @property
    def label(self) -> str:
        return {
            Category.ALIGNED: "passes DMARC",
            Category.FORWARDED: "forwarder or mailing list",
            Category.SERVICE: "recognised service failing DMARC",
            Category.UNKNOWN: "unrecognised sender failing DMARC",
            Category.NOT_OURS: "not the client's (spoofing)",
            Category.OTHER_DOMAIN: "From domain outside the report's domain",
            Category.UNEXPLAINED: "unexplained sender: identify it",
            Category.UNAUTHENTICATED: "sporadic unauthenticated mail (spoofing)",
        }[self]


UNEXPLAINED_MIN_MESSAGES: Final = 20
UNEXPLAINED_MIN_DAYS: Final = 3


def sustained_unknown(rows: pd.DataFrame, min_messages: int, min_days: int) -> set[str]:
    """Senders (``sender`` column) of ``unknown`` rows with enough messages on enough days.

    Spoofing comes in bursts from scattered addresses; a sender failing DMARC with
    the same identity day after day is more likely a system nobody told the consultant
    about, whose mail enforcement would lose.
    """
    unknown = rows[rows["category"] == Category.UNKNOWN]
    spread = unknown.groupby("sender", sort=False).agg(
        messages=("messages", "sum"), days=("day", "nunique")
    )
    keep = (spread["messages"] >= min_messages) & (spread["days"] >= min_days)
    return {str(name) for name in spread.index[keep]}


CLASSIFIED_COLUMNS: Final = (
    "report_pk",
    "record_index",
    "reporter",
    "org_name",
    "day",
    "policy_domain",
    "p",
    "pct",
    "testing",
    "header_from",
    "source_ip",
    "messages",
    "disposition",
    "passes",
    "reported_pass",
    "dkim_aligned",
    "spf_aligned",
    "dkim_pass",
    "spf_pass",
    "dkim_domains",
    "selectors",
    "client_selectors",
    "spf_domain",
    "spf_result",
    "helo",
    "envelope_from",
    "service",
    "third_party",
    "category",
    "evidence",
    "reason_types",
    "reason_comments",
)


def report_day(moment: pd.Series) -> pd.Series:
    """UTC calendar day of each timestamp, as tz-naive midnight."""
    day: pd.Series = moment.dt.tz_convert("UTC").dt.tz_localize(None).dt.normalize()
    return day


def reporter_names(email: pd.Series, org_name: pd.Series) -> pd.Series:
    """One name per reporting organisation: the Organizational Domain of its report address.

    Microsoft reports as "Outlook.com" and "Enterprise Outlook" from the same
    microsoft.com address: one reporter, not two, for the two-reporter gate.
    """
    addresses = email.fillna("")
    unique = {address: _reporter_domain(address) for address in addresses.unique()}
    named = addresses.map(unique)
    return named.where(named != "", org_name.fillna("").str.strip().str.lower())


def _reporter_domain(address: str) -> str:
    domain = address.rpartition("@")[2].strip().lower()
    return org_domain(domain) if "." in domain else ""


def _joined(values: pd.Series) -> str:
    seen = dict.fromkeys(str(v) for v in values if isinstance(v, str) and v)
    return " ".join(seen)


def classify(
    frames: Frames,
    not_ours: Collection[str] = (),
) -> pd.DataFrame:
    """Every record with its verdict, recognised service and category (``CLASSIFIED_COLUMNS``).

    ``not_ours``: source IPs or service ids the client confirmed it does not use;
    their failing rows become ``not-ours`` (spoofing) instead of senders to fix.
    """
    records = frames.records
    if records.empty:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in CLASSIFIED_COLUMNS})
    base = records.assign(
        reporter=reporter_names(records["email"], records["org_name"]),
        day=report_day(records["begin"]),
        header_from=records["header_from"].fillna(""),
        reason_types=records["reason_types"].fillna(""),
        reason_comments=records["reason_comments"].fillna(""),
    )
    auth = _auth_facts(frames.auth, base)
    per_record = _per_record(auth)
    out = base.merge(per_record, on=_KEY, how="left")
    for column in ("dkim_aligned", "spf_aligned", "dkim_pass", "spf_pass"):
        out[column] = out[column].fillna(False).astype(bool)
    for column in ("dkim_domains", "selectors", "client_selectors", "spf_domain"):
        out[column] = out[column].fillna("")
    for column in ("spf_result", "helo", "service", "service_by_spf", "third_party"):
        out[column] = out[column].fillna("")

    evaluated = (out["dkim"].fillna("") != "") | (out["spf"].fillna("") != "")
    reported = (out["dkim"] == "pass") | (out["spf"] == "pass")
    ours = out["dkim_aligned"] | out["spf_aligned"]
    # The reporter's verdict, or NA where it gave none.
    out["reported_pass"] = reported.astype("boolean").mask(~evaluated)
    out["passes"] = reported.where(evaluated, ours).astype(bool)

    out = _known_good_selectors(out)
    out["category"], out["evidence"] = _categories(out, frozenset(not_ours))
    return out[list(CLASSIFIED_COLUMNS)].reset_index(drop=True)


def _auth_facts(auth: pd.DataFrame, base: pd.DataFrame) -> pd.DataFrame:
    """Auth rows with their record's From domain and modes, alignment and service hints."""
    if auth.empty:
        return auth.assign(aligned=pd.Series(dtype=bool), hint=pd.Series(dtype=object))
    context = base[[*_KEY, "header_from", "adkim", "aspf"]]
    rows = auth.merge(context, on=_KEY, how="inner")
    domain = rows["domain"].fillna("")
    mode = rows["adkim"].where(rows["method"] == "dkim", rows["aspf"]).fillna("r")
    keys = pd.MultiIndex.from_arrays([domain, rows["header_from"], mode])
    verdicts = {key: aligned(*key) for key in keys.unique()}
    rows["aligned"] = pd.array([verdicts[key] for key in keys], dtype=bool)
    rows["passed"] = rows["result"].fillna("") == "pass"
    selector = rows["selector"].fillna("")
    hints: list[tuple[int, str]] = []
    for method, own, name, sel in zip(
        rows["method"], rows["aligned"], domain, selector, strict=True
    ):
        hints.append(_hint(method, bool(own), name, sel))
    rows["hint_rank"] = [rank for rank, _ in hints]
    rows["hint"] = [service for _, service in hints]
    return rows


def _hint(method: str, own_domain: bool, domain: str, selector: str) -> tuple[int, str]:
    """(priority, service id) one auth entry suggests; lower priority numbers win."""
    if method == "dkim":
        if not own_domain:
            found = by_dkim_domain(domain)
            return (1, found.id) if found else (9, "")
        found = by_selector(selector) if selector else None
        return (3, found.id) if found else (9, "")
    if not own_domain and domain:
        found = by_spf_domain(domain)
        return (2, found.id) if found else (9, "")
    return (9, "")


def _per_record(auth: pd.DataFrame) -> pd.DataFrame:
    columns = [
        *_KEY,
        "dkim_aligned",
        "spf_aligned",
        "dkim_pass",
        "spf_pass",
        "dkim_domains",
        "selectors",
        "client_selectors",
        "spf_domain",
        "spf_result",
        "helo",
        "service",
        "service_by_spf",
        "third_party",
    ]
    if auth.empty:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in columns})
    dkim = auth[auth["method"] == "dkim"]
    spf = auth[auth["method"] == "spf"]
    grouped_dkim = dkim.groupby(_KEY, sort=False)
    grouped_spf = spf.groupby(_KEY, sort=False)
    facts = pd.DataFrame(
        {
            "dkim_aligned": (dkim["aligned"] & dkim["passed"])
            .groupby([dkim["report_pk"], dkim["record_index"]], sort=False)
            .any(),
            "dkim_pass": grouped_dkim["passed"].any(),
            "dkim_domains": grouped_dkim["domain"].agg(_joined),
            "selectors": grouped_dkim["selector"].agg(_joined),
        }
    )
    client = dkim[dkim["aligned"]]
    client_selectors = client.groupby(_KEY, sort=False)["selector"].agg(_joined)
    mfrom = spf[spf["scope"].fillna("mfrom") != "helo"]
    helo = spf[spf["scope"] == "helo"]
    spf_facts = pd.DataFrame(
        {
            "spf_aligned": (spf["aligned"] & spf["passed"])
            .groupby([spf["report_pk"], spf["record_index"]], sort=False)
            .any(),
            "spf_pass": grouped_spf["passed"].any(),
            "spf_domain": mfrom.groupby(_KEY, sort=False)["domain"].first(),
            "spf_result": mfrom.groupby(_KEY, sort=False)["result"].first(),
            "helo": helo.groupby(_KEY, sort=False)["domain"].first(),
        }
    )
    ranked = auth[auth["hint"] != ""].sort_values("hint_rank", kind="stable")
    service = ranked.groupby(_KEY, sort=False)["hint"].first().rename("service")
    by_spf = auth[(auth["hint"] != "") & (auth["hint_rank"] == 2)]
    service_by_spf = by_spf.groupby(_KEY, sort=False)["hint"].first().rename("service_by_spf")
    # The third party the mail authenticated as instead (a DKIM signer first, else the
    # envelope-from domain): it groups a sender that uses many addresses.
    others = auth[~auth["aligned"] & (auth["domain"].fillna("") != "")]
    others = others.assign(rank=(others["method"] != "dkim").astype(int)).sort_values(
        "rank", kind="stable"
    )
    third_party = (
        others.groupby(_KEY, sort=False)["domain"].first().map(_org_or_self).rename("third_party")
    )
    merged = facts.join(
        [
            spf_facts,
            client_selectors.rename("client_selectors"),
            service,
            service_by_spf,
            third_party,
        ],
        how="outer",
    )
    return merged.reset_index()[columns]


def _known_good_selectors(out: pd.DataFrame) -> pd.DataFrame:
    """Mark rows carrying a client-domain selector that passes aligned somewhere for the domain."""
    passing = out[out["dkim_aligned"] & (out["client_selectors"] != "")]
    good: dict[str, set[str]] = {}
    for domain, names in zip(passing["policy_domain"], passing["client_selectors"], strict=True):
        good.setdefault(str(domain), set()).update(str(names).split())
    flags = [
        bool(good.get(str(domain), set()) & set(str(names).split()))
        for domain, names in zip(out["policy_domain"], out["client_selectors"], strict=True)
    ]
    return out.assign(selector_good=flags)


def _categories(out: pd.DataFrame, not_ours: frozenset[str]) -> tuple[list[str], list[str]]:
    """The category and its evidence (a short phrase) for every row."""
    # Addresses that ever passed SPF aligned for the domain: authorised senders.
    spf_ok = out[out["spf_aligned"]]
    authorised = set(zip(spf_ok["policy_domain"], spf_ok["source_ip"], strict=True))
    categories: list[str] = []
    evidence: list[str] = []
    for row in out.itertuples(index=False):
        category, why = _category(row, authorised, not_ours)
        categories.append(category.value)
        evidence.append(why)
    return categories, evidence


def _category(
    row: Any, authorised: set[tuple[str, str]], not_ours: frozenset[str]
) -> tuple[Category, str]:
    domain = str(row.policy_domain)
    if not within(str(row.header_from), domain):
        return Category.OTHER_DOMAIN, "From domain outside " + domain
    source_ip = str(row.source_ip)
    service = str(row.service)
    if row.passes:
        if (
            row.dkim_aligned
            and not row.spf_aligned
            and row.spf_result in ("fail", "softfail")
            and (domain, source_ip) not in authorised
        ):
            return (
                Category.FORWARDED,
                "DKIM carries it; SPF fails from an address never authorised for the domain",
            )
        return Category.ALIGNED, "passes DMARC"
    types = set(str(row.reason_types).split())
    reported = sorted(types & FORWARDING_TYPES)
    if reported:
        return Category.FORWARDED, "reported as " + ", ".join(reported)
    if "local_policy" in types and _ARC_PASS.search(str(row.reason_comments)):
        return Category.FORWARDED, "ARC chain passed (receiver's local policy override)"
    third_party = str(row.third_party)
    if source_ip in not_ours or (service or "-") in not_ours or (third_party or "-") in not_ours:
        return Category.NOT_OURS, "the client does not use this sender"
    if row.selector_good and not row.service_by_spf:
        return (
            Category.FORWARDED,
            "a signature with a selector that passes elsewhere broke in transit",
        )
    if service:
        return Category.SERVICE, "sent by " + BY_ID[service].name
    return Category.UNKNOWN, "not authenticated as the domain"


def service_name(service: str) -> str:
    found = BY_ID.get(service)
    return found.name if found else ""


# Senders to act on first, then the client's own, then the rest.
_RANK: Final = {
    Category.SERVICE: 0,
    Category.UNEXPLAINED: 1,
    Category.ALIGNED: 2,
    Category.FORWARDED: 3,
    Category.UNAUTHENTICATED: 4,
    Category.NOT_OURS: 5,
    Category.OTHER_DOMAIN: 6,
}

SENDER_COLUMNS: Final = (
    "policy_domain",
    "sender",
    "service",
    "category",
    "messages",
    "aligned",
    "failing",
    "aligned_share",
    "dkim_aligned",
    "spf_aligned",
    "dkim_pass",
    "spf_pass",
    "quarantined",
    "rejected",
    "sources",
    "days",
    "reporters",
    "first_day",
    "last_day",
    "header_from",
    "dkim_domains",
    "selectors",
    "spf_domains",
    "evidence",
)


def sender_key(classified: pd.DataFrame) -> pd.Series:
    """The sender a row is grouped under.

    A recognised service by its name; otherwise the third party the mail
    authenticated as (the Organizational Domain of an unaligned DKIM signer or
    envelope-from), so that a sender spread over many addresses adds up; otherwise
    the source IP. Forwarded rows stay under the forwarder's address (the service
    only signed them).
    """
    forwarded = classified["category"] == Category.FORWARDED
    by_service = (classified["service"] != "") & ~forwarded
    by_party = (classified["third_party"] != "") & ~forwarded & ~by_service
    names = classified["service"].map(service_name)
    key = classified["source_ip"].where(~by_party, classified["third_party"])
    return names.where(by_service, key)


def _org_or_self(domain: str) -> str:
    return org_domain(domain) if "." in domain else domain


def senders(
    classified: pd.DataFrame,
    by: str = "sender",
    reverse_names: Mapping[str, str] | None = None,
    unexplained_min_messages: int = UNEXPLAINED_MIN_MESSAGES,
    unexplained_min_days: int = UNEXPLAINED_MIN_DAYS,
) -> pd.DataFrame:
    """Messages per sender (``by="sender"``) or per source IP (``by="source_ip"``), per domain.

    Sorted by domain, then senders to act on (failing services, unexplained senders),
    the client's passing senders, forwarders, and background spoofing; most failing
    and most messages first within each.

    ``category`` is the row category of most of the sender's failing messages, or
    ``aligned`` when none fail; an unrecognised sender is ``unexplained`` when it
    fails with at least ``unexplained_min_messages`` on ``unexplained_min_days`` days
    (the gate's defaults), else ``unauthenticated``. ``reverse_names`` (IP -> host
    name, from evidence the caller has) labels addresses.
    """
    if classified.empty:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in SENDER_COLUMNS})
    # The service column names who sent; a forwarder's rows only carry a service's signature.
    rows = classified.assign(
        sender=sender_key(classified),
        service=classified["service"].where(classified["category"] != Category.FORWARDED, ""),
    )
    if by == "source_ip":
        rows = rows.assign(sender=rows["source_ip"])
    names = reverse_names or {}
    messages = rows["messages"]
    rows = rows.assign(
        aligned_messages=messages.where(rows["passes"], 0),
        failing_messages=messages.where(~rows["passes"], 0),
        dkim_aligned_messages=messages.where(rows["dkim_aligned"], 0),
        spf_aligned_messages=messages.where(rows["spf_aligned"], 0),
        dkim_pass_messages=messages.where(rows["dkim_pass"], 0),
        spf_pass_messages=messages.where(rows["spf_pass"], 0),
        quarantined=messages.where(rows["disposition"] == "quarantine", 0),
        rejected=messages.where(rows["disposition"] == "reject", 0),
    )
    keys = ["policy_domain", "sender"]
    grouped = rows.groupby(keys, sort=False)
    table = grouped.agg(
        messages=("messages", "sum"),
        aligned=("aligned_messages", "sum"),
        failing=("failing_messages", "sum"),
        dkim_aligned=("dkim_aligned_messages", "sum"),
        spf_aligned=("spf_aligned_messages", "sum"),
        dkim_pass=("dkim_pass_messages", "sum"),
        spf_pass=("spf_pass_messages", "sum"),
        quarantined=("quarantined", "sum"),
        rejected=("rejected", "sum"),
        sources=("source_ip", "nunique"),
        days=("day", "nunique"),
        reporters=("reporter", "nunique"),
        first_day=("day", "min"),
        last_day=("day", "max"),
        header_from=("header_from", _joined),
        dkim_domains=("dkim_domains", _joined),
        selectors=("selectors", _joined),
        spf_domains=("spf_domain", _joined),
        service=("service", _joined),
    )
    weights = rows.assign(weight=rows["failing_messages"] + (rows["messages"] == 0))
    failing = weights[~weights["passes"]]
    main = (
        failing.groupby([*keys, "category", "evidence"], sort=False)["weight"]
        .sum()
        .reset_index()
        .sort_values("weight", ascending=False, kind="stable")
        .drop_duplicates(keys)
        .set_index(keys)
    )
    passing = rows[rows["passes"]].groupby(keys, sort=False)[["category", "evidence"]].first()
    table = table.join(main[["category", "evidence"]]).fillna({"category": "", "evidence": ""})
    fallback = passing.reindex(table.index)
    table["category"] = table["category"].where(table["category"] != "", fallback["category"])
    sustained = sustained_unknown(rows, unexplained_min_messages, unexplained_min_days)
    unknown = table["category"] == Category.UNKNOWN
    refined = [
        Category.UNEXPLAINED if sender in sustained else Category.UNAUTHENTICATED
        for sender in table.index.get_level_values("sender")
    ]
    table["category"] = table["category"].where(~unknown, pd.Series(refined, index=table.index))
    table["evidence"] = table["evidence"].where(table["evidence"] != "", fallback["evidence"])
    table["aligned_share"] = (
        table["aligned"] / table["messages"].where(table["messages"] > 0)
    ).round(4)
    table = table.reset_index()
    if by == "source_ip" and names:
        table["sender"] = [f"{ip} ({names[ip]})" if ip in names else ip for ip in table["sender"]]
    table["rank"] = table["category"].map(_RANK).fillna(len(_RANK))
    table = table.sort_values(
        ["policy_domain", "rank", "failing", "messages", "sender"],
        ascending=[True, True, False, False, True],
        kind="stable",
    )
    return table[list(SENDER_COLUMNS)].reset_index(drop=True)


DAILY_COLUMNS: Final = (
    "day",
    "policy_domain",
    "messages",
    "aligned",
    "forwarded",
    "failing",
    "unauthenticated",
    "reports",
    "reporters",
)


def daily(classified: pd.DataFrame, domain: str | None = None) -> pd.DataFrame:
    """Messages per day and domain: passing, forwarded, failing (senders to fix) and the rest.

    ``aligned`` is every message that passed DMARC (forwarded or not); ``forwarded`` is
    forwarded mail that failed; ``failing`` is failing mail from recognised services;
    ``unauthenticated`` is failing mail from unrecognised or disowned senders (to
    identify, or spoofing).
    """
    rows = classified
    if domain is not None:
        rows = rows[rows["policy_domain"] == domain.strip().rstrip(".").lower()]
    rows = rows[rows["category"] != Category.OTHER_DOMAIN]
    if rows.empty:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in DAILY_COLUMNS})
    category = rows["category"]
    messages = rows["messages"]
    frame = rows.assign(
        aligned=messages.where(rows["passes"], 0),
        forwarded=messages.where((category == Category.FORWARDED) & ~rows["passes"], 0),
        failing=messages.where(category == Category.SERVICE, 0),
        unauthenticated=messages.where(category.isin([Category.UNKNOWN, Category.NOT_OURS]), 0),
    )
    table = (
        frame.groupby(["day", "policy_domain"], sort=True)
        .agg(
            messages=("messages", "sum"),
            aligned=("aligned", "sum"),
            forwarded=("forwarded", "sum"),
            failing=("failing", "sum"),
            unauthenticated=("unauthenticated", "sum"),
            reports=("report_pk", "nunique"),
            reporters=("reporter", "nunique"),
        )
        .reset_index()
    )
    return table[list(DAILY_COLUMNS)]


def drill_down(
    classified: pd.DataFrame, frames: Frames, sender: str, domain: str | None = None
) -> pd.DataFrame:
    """The rows of one sender (a service name, a service id or a source IP), newest first.

    With each row: reporter, day, From domain, messages, verdicts, disposition and the
    DKIM and SPF results as the reporter listed them.
    """
    rows = classified.assign(sender=sender_key(classified))
    wanted = (
        (rows["sender"] == sender) | (rows["source_ip"] == sender) | (rows["service"] == sender)
    )
    if domain is not None:
        wanted &= rows["policy_domain"] == domain.strip().rstrip(".").lower()
    picked = rows[wanted]
    auth = frames.auth
    if not auth.empty and not picked.empty:
        described = auth.assign(
            text=auth["method"]
            + "="
            + auth["result"].fillna("")
            + " "
            + auth["domain"].fillna("")
            + ("/" + auth["selector"]).fillna("")
        )
        texts = described.groupby(_KEY, sort=False)["text"].agg("; ".join).rename("auth_results")
        picked = picked.merge(texts.reset_index(), on=_KEY, how="left")
    else:
        picked = picked.assign(auth_results="")
    columns = [
        "day",
        "reporter",
        "policy_domain",
        "header_from",
        "source_ip",
        "messages",
        "passes",
        "category",
        "disposition",
        "dkim_aligned",
        "spf_aligned",
        "auth_results",
        "reason_types",
        "reason_comments",
    ]
    return picked.sort_values(["day", "messages"], ascending=[False, False], kind="stable")[
        columns
    ].reset_index(drop=True)
