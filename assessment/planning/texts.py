"""The exact texts a rollout plan hands over: policy bodies, DNS records, hosting notes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from assessment.providers import PROVIDERS
from assessment.records.mtasts import StsMode, render_sts_policy
from assessment.records.tlsrpt import parse_tlsrpt_txt

ONE_DAY = 86400
ONE_YEAR = 31557600


def long_day(value: date) -> str:
    """`2026-12-04` -> "4 December 2026"."""
    return f"{value.day} {value:%B %Y}"


def describe_seconds(seconds: int) -> str:
    """`604800` -> "1 week", for sentences next to the exact number."""
    for unit, size in (("year", ONE_YEAR), ("week", 604800), ("day", ONE_DAY), ("hour", 3600)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}" if count == 1 else f"{count} {unit}s"
    return f"{seconds} seconds"


def policy_id(day: date, sequence: int, taken: Sequence[str] = ()) -> str:
    """A `YYYYMMDDhhmmss` id for a policy published on `day`.

    Senders only compare ids for equality; the date shape lets the IT provider see which
    change an id belongs to. `sequence` separates several planned changes on one day, and
    an id the client already uses is skipped, because reusing it would hide the change.
    """
    step = sequence
    while True:
        candidate = f"{day:%Y%m%d}{9 + step % 15:02d}{step // 15:02d}00"
        if candidate not in taken:
            return candidate
        step += 1


def sts_txt_value(ident: str) -> str:
    return f"v=STSv1; id={ident}"


def zone_line(name: str, value: str) -> str:
    return f'{name}. IN TXT "{value}"\n'


def policy_body(mode: StsMode, patterns: Sequence[str], max_age: int) -> str:
    return render_sts_policy(mode, tuple(patterns) if mode is not StsMode.NONE else (), max_age)


def tlsrpt_value(domain: str, existing: Sequence[str]) -> tuple[str, bool]:
    """The TLS-RPT record to publish, and whether it carries a placeholder address.

    An existing record is kept only when it parses cleanly and has a usable address:
    the client's reports already flow there.
    """
    if len(existing) == 1:
        parsed = parse_tlsrpt_txt(existing[0])
        if parsed.valid and any(uri.valid for uri in parsed.rua):
            return existing[0], False
    return f"v=TLSRPTv1; rua=mailto:tlsrpt@{domain}", True


def tlsrpt_artifact(domain: str, value: str, placeholder: bool) -> str:
    head = (
        f"; Replace tlsrpt@{domain} with a mailbox someone reads, or the address your TLS-RPT\n"
        "; reporting service gives you, before publishing.\n"
        if placeholder
        else "; The existing record, kept as it is: reports already go there.\n"
    )
    return head + zone_line(f"_smtp._tls.{domain}", value)


STATIC_HOST_NOTES: tuple[tuple[str, str], ...] = (
    (
        "Any web host",
        "Serve https://mta-sts.{domain}/.well-known/mta-sts.txt directly with status 200, "
        "Content-Type text/plain, and a certificate whose names include mta-sts.{domain}. "
        "Senders never follow redirects: no redirect to www, to another path, or to another "
        "host. Sending servers connect on port 443 only.",
    ),
    (
        "nginx",
        "Use a server block for mta-sts.{domain} with `location = /.well-known/mta-sts.txt "
        "{{ default_type text/plain; }}` and make sure no `return 301` or `rewrite` for that "
        "host catches the path.",
    ),
    (
        "Apache",
        "Use a VirtualHost for mta-sts.{domain} on 443; check that `AddType text/plain .txt` "
        "applies and that no RewriteRule (for example a site-wide www or HTTPS redirect) "
        "matches /.well-known/mta-sts.txt.",
    ),
    (
        "Caddy",
        "A site block `mta-sts.{domain} {{ root * /srv/mta-sts; file_server }}` obtains the "
        "certificate automatically; do not add a `redir` for this host.",
    ),
    (
        "Azure Static Web Apps",
        "Add mta-sts.{domain} as a custom domain (free managed certificate). Folders starting "
        "with a dot may be skipped by the build: check the deployed file is reachable, and "
        "set a `mimeTypes` entry `.txt: text/plain` in staticwebapp.config.json. Avoid "
        "routes or trailing-slash rules that redirect.",
    ),
    (
        "GitHub Pages",
        "Jekyll skips folders starting with a dot: add an empty `.nojekyll` file or "
        "`include: [.well-known]` in _config.yml. The custom domain must be exactly "
        "mta-sts.{domain} (not an apex or www site that redirects to it), with "
        "'Enforce HTTPS' on once the certificate is issued.",
    ),
)


def hosting_notes(domain: str, provider_names: Sequence[str]) -> str:
    lines = [f"Hosting the MTA-STS policy for {domain}", ""]
    for provider in PROVIDERS:
        if provider.name in provider_names:
            note = provider.hosting_note.replace("<domain>", domain)
            lines += [f"{provider.name}:", f"  {note}"]
            if provider.move_note:
                lines.append(f"  {provider.move_note}")
            lines.append("")
    for title, text in STATIC_HOST_NOTES:
        lines += [f"{title}:", f"  {text.format(domain=domain)}", ""]
    lines += [
        "Check before changing the TXT record:",
        f"  curl -sS -D - https://mta-sts.{domain}/.well-known/mta-sts.txt",
        "  must show HTTP 200, content-type: text/plain, no Location header, and the policy.",
        "",
    ]
    return "\n".join(lines)
