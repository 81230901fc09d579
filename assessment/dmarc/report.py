"""Lenient parser for DMARC aggregate reports, safe against hostile XML.

The structure read (RFC 7489 appendix C; RFC 9990 appendix A, namespace
``urn:ietf:params:xml:ns:dmarc-2.0``)::

    feedback
      version?                              ("1.0"; RFC 9990)
      report_metadata
        org_name  email  extra_contact_info?  report_id
        date_range: begin end               (seconds since the epoch, UTC)
        error*  generator?                  (generator: RFC 9990)
      policy_published
        domain  adkim? aspf? (r|s)  p  sp  pct (RFC 7489)
        np? testing? (y|n) discovery_method? (psl|treewalk) fo?   (RFC 9990)
      extension?                            (RFC 9990; ignored)
      record+
        row: source_ip  count
             policy_evaluated: disposition (none|pass|quarantine|reject)
                               dkim spf (pass|fail)  reason*: type comment?
        identifiers: envelope_to? envelope_from? header_from
        auth_results: dkim*: domain selector result human_result?
                      spf*:  domain scope? result human_result?
        (elements of other namespaces: RFC 9990 extensions; ignored)

Hostile input: the document is parsed by expat with every DTD refused at its
``<!DOCTYPE`` (so no entity is ever declared, let alone expanded: no billion
laughs, no external entity, no network or file access) and with no parameter
entity parsing. Element nesting, field length and record count are bounded; the
input size is bounded by the caller (``assessment.intake.payloads``).

Leniency: real reporters deviate (see the samples' SOURCES.md): an empty
``org_name`` (named after the reporter's e-mail domain), stray text between
elements, empty ``<reason>`` elements, bytes that are not UTF-8 (replaced, and
warned about), floats or spaces in numbers, values outside the enumerations
(kept verbatim), missing optional elements. Every tolerance is recorded as a
warning; a report is rejected, with a reason, only when what is missing makes it
unusable (no report-id, no date range, no policy domain, not well-formed XML).

``parse_aggregate`` never raises: it returns an ``AggregateReport`` or a
``Rejected`` reason.
"""

from __future__ import annotations

import contextlib
import ipaddress
from functools import lru_cache
from typing import Any, Final
from xml.parsers import expat

from assessment.dmarc.model import (
    ALIGNMENT_MODES,
    DISPOSITIONS,
    DKIM_RESULTS,
    DMARC_RESULTS,
    NAMESPACE_7489,
    NAMESPACE_9990,
    OVERRIDE_TYPES,
    SPF_RESULTS,
    AggregateReport,
    AuthMethod,
    AuthRow,
    PublishedPolicy,
    RecordRow,
    Rejected,
    Schema,
)

MAX_DEPTH: Final = 32
"""Deeper nesting than any report needs (the schema has 5 levels) is refused."""
MAX_FIELD_CHARS: Final = 2048
"""Longer element text is cut (a domain is at most 253 characters)."""
MAX_RECORDS: Final = 500_000
"""More records than the 20 MiB input cap allows real ones (~200 bytes each) to fit."""
MAX_COUNT: Final = 2**53
MAX_EPOCH_SECONDS: Final = 253_402_300_799
"""9999-12-31T23:59:59Z: later times cannot be dates."""
DMARC_EPOCH: Final = 1_325_376_000
"""2012-01-01: DMARC was published in 2012; earlier report dates are warned about."""
_SEP: Final = "\x1f"
_DMARC_NAMESPACES: Final = frozenset({"", NAMESPACE_7489, NAMESPACE_9990})
_JSON_HINT: Final = (
    "a JSON document, not a DMARC aggregate report (XML, RFC 7489 appendix C); TLS-RPT "
    "reports are imported with 'mailposture tlsrpt import'"
)

# Container states. A leaf element is pushed as its field name (a str).
_ROOT, _FEEDBACK, _META, _RANGE, _POLICY, _RECORD = range(6)
_ROW, _EVAL, _REASON, _IDS, _AUTH, _DKIM, _SPF, _SKIP = range(6, 14)
_UNKNOWN = -1  # a resolved start tag DMARC does not define there
_STATE_NAMES: Final = {
    _FEEDBACK: "feedback",
    _META: "report_metadata",
    _RANGE: "date_range",
    _POLICY: "policy_published",
    _RECORD: "record",
    _ROW: "row",
    _EVAL: "policy_evaluated",
    _REASON: "reason",
    _IDS: "identifiers",
    _AUTH: "auth_results",
    _DKIM: "auth_results/dkim",
    _SPF: "auth_results/spf",
}
_CONTAINERS: Final[dict[tuple[int, str], int]] = {
    (_FEEDBACK, "report_metadata"): _META,
    (_META, "date_range"): _RANGE,
    (_FEEDBACK, "policy_published"): _POLICY,
    (_FEEDBACK, "record"): _RECORD,
    (_RECORD, "row"): _ROW,
    (_ROW, "policy_evaluated"): _EVAL,
    (_EVAL, "reason"): _REASON,
    (_RECORD, "identifiers"): _IDS,
    (_RECORD, "auth_results"): _AUTH,
    (_AUTH, "dkim"): _DKIM,
    (_AUTH, "spf"): _SPF,
    # RFC 9990 extensions, and elements DMARC never defined there: skipped quietly.
    (_FEEDBACK, "extension"): _SKIP,
    (_FEEDBACK, "extensions"): _SKIP,
}
_LEAVES: Final[dict[int, frozenset[str]]] = {
    _FEEDBACK: frozenset({"version"}),
    _META: frozenset(
        {"org_name", "email", "extra_contact_info", "report_id", "error", "generator"}
    ),
    _RANGE: frozenset({"begin", "end"}),
    _POLICY: frozenset(
        {
            "domain",
            "adkim",
            "aspf",
            "p",
            "sp",
            "np",
            "pct",
            "fo",
            "testing",
            "discovery_method",
            "version_published",
        }
    ),
    _ROW: frozenset({"source_ip", "count"}),
    _EVAL: frozenset({"disposition", "dkim", "spf"}),
    _REASON: frozenset({"type", "comment"}),
    _IDS: frozenset({"envelope_to", "envelope_from", "header_from"}),
    _DKIM: frozenset({"domain", "selector", "result", "human_result"}),
    _SPF: frozenset({"domain", "scope", "result", "human_result"}),
}
_MULTI: Final = frozenset({"error"})


class _Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Warnings:
    """Warnings by kind: the first example and how many more (reports hold 100k records)."""

    def __init__(self) -> None:
        self._seen: dict[str, list[Any]] = {}

    def add(self, kind: str, example: str = "") -> None:
        entry = self._seen.get(kind)
        if entry is None:
            self._seen[kind] = [example, 1]
        else:
            entry[1] += 1

    def as_tuple(self) -> tuple[str, ...]:
        out = []
        for kind, (example, count) in self._seen.items():
            text = f"{kind}: {example}" if example else kind
            out.append(text if count == 1 else f"{text} (and {count - 1} more)")
        return tuple(out)


@lru_cache(maxsize=65_536)
def _ip(text: str) -> str | None:
    """The address in its canonical text form (IPv6 compressed), or None."""
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


@lru_cache(maxsize=65_536)
def _domain(text: str) -> str:
    """Lower-case A-label without the trailing dot (U-labels converted where valid)."""
    name = text.strip().rstrip(".").lower()
    if not name.isascii():
        # Not valid IDNA: kept as written (the analysis will not match it to a domain).
        with contextlib.suppress(UnicodeError):
            name = name.encode("idna").decode("ascii")
    return name


@lru_cache(maxsize=65_536)
def _looks_like_domain(name: str) -> bool:
    return (
        0 < len(name) <= 253
        and all(0 < len(label) <= 63 for label in name.split("."))
        and all(ch.isalnum() or ch in "-_." for ch in name)
    )


def parse_aggregate(data: bytes) -> AggregateReport | Rejected:
    """Parse one report's XML bytes: the report, or why it cannot be used. Never raises."""
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"{", b"[")):
        return Rejected(_JSON_HINT)
    if not data.strip():
        return Rejected("empty file: no XML")
    warnings = _Warnings()
    try:
        return _Parser(warnings).parse(data)
    except _Refused as exc:
        return Rejected(exc.reason)
    except _Recode:
        pass
    # The document declares (or defaults to) UTF-8 but holds other bytes: read it
    # with each bad byte replaced, rather than lose every record for one byte.
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd") - data.decode("utf-8", "ignore").count("\ufffd")
    warnings.add(
        "bytes that are not UTF-8 were replaced by U+FFFD",
        f"{bad} in the report, which declares UTF-8 or no encoding",
    )
    try:
        return _Parser(warnings, recoding=False).parse(text.encode("utf-8"))
    except _Refused as exc:
        return Rejected(exc.reason)
    except _Recode:  # pragma: no cover - the re-encoded bytes are valid UTF-8
        return Rejected("not valid UTF-8")


class _Recode(Exception):
    """Invalid UTF-8 in a document read as UTF-8: try again with replacements."""


class _Parser:
    """One document's parse: expat events into the report's fields."""

    def __init__(self, warnings: _Warnings, recoding: bool = True) -> None:
        self.warnings = warnings
        self.recoding = recoding
        self.schema = Schema.RFC7489
        self.version: str | None = None
        self.meta: dict[str, Any] | None = None
        self.date_range: dict[str, Any] | None = None
        self.policy: dict[str, Any] | None = None
        self.records: list[RecordRow] = []
        self.auth: list[AuthRow] = []
        self.names: dict[str, tuple[bool, str]] = {}
        # What a start tag means in each container state, resolved once per (state, name):
        # a child container state, a leaf's field name, _SKIP, or _UNKNOWN.
        self.resolved: list[dict[str, int | str]] = [{} for _ in range(_SKIP + 1)]
        # One entry per open element: a container state or a leaf's field name.
        self.stack: list[int | str] = [_ROOT]
        # The field dicts of the open containers (None for skipped ones).
        self.fields: list[dict[str, Any] | None] = [None]
        self.text: list[str] = []
        self.text_size = 0

    def parse(self, data: bytes) -> AggregateReport:
        parser = expat.ParserCreate(namespace_separator=_SEP)
        self.parser = parser
        parser.buffer_text = True
        parser.ordered_attributes = True
        # No DTD, hence no entity declaration, expansion, or external entity.
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = self._doctype
        parser.EntityDeclHandler = self._entity
        parser.UnparsedEntityDeclHandler = self._entity
        parser.ExternalEntityRefHandler = self._external
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._chars
        try:
            parser.Parse(data, True)
        except expat.ExpatError as exc:
            raise self._not_well_formed(exc, data) from None
        except RecursionError:
            raise _Refused("XML nested too deeply") from None
        except LookupError as exc:
            # An XML declaration naming an encoding Python does not know ("ATF-8"): expat
            # asks the codec registry for it and the lookup fails (found by hypothesis).
            raise _Refused(f"the XML declares an unknown encoding ({exc})") from None
        finally:
            # The parser holds this object's bound methods: without this, each report
            # would leave a reference cycle, which imports (run with the cyclic
            # collector paused) kept until the end: 8,000 reports held 450 MiB.
            del self.parser
        return self._report()

    # -- expat handlers ------------------------------------------------------------

    def _doctype(self, *_: object) -> None:
        raise _Refused(
            "refused: the XML has a document type declaration (<!DOCTYPE>), which DMARC "
            "reports never need and which can declare entities (billion laughs, external "
            "entities); not parsed further"
        )

    def _entity(self, *_: object) -> None:
        raise _Refused("refused: the XML declares entities; not parsed further")

    def _external(self, *_: object) -> int:
        raise _Refused("refused: the XML refers to an external entity; not parsed further")

    def _name(self, raw: str) -> tuple[bool, str]:
        """(in the DMARC namespace or none, local name) of an expat element name."""
        known = self.names.get(raw)
        if known is None:
            uri, sep, local = raw.rpartition(_SEP)
            known = self.names[raw] = ((uri if sep else "") in _DMARC_NAMESPACES, local)
        return known

    def _start(self, raw: str, _attributes: list[str]) -> None:
        # The hot path: one dict lookup per element once the (state, name) pair is known.
        stack = self.stack
        state = stack[-1]
        if state.__class__ is int and state != _ROOT and state != _SKIP:
            action = self.resolved[state].get(raw)
            if action is not None and len(stack) <= MAX_DEPTH:
                if action.__class__ is str:
                    stack.append(action)
                    self.fields.append(None)
                    self.text = []
                    self.text_size = 0
                    return
                if action != _UNKNOWN:
                    if action == _RECORD and len(self.records) >= MAX_RECORDS:
                        raise _Refused(f"more than {MAX_RECORDS:,} records in one report")
                    stack.append(action)
                    self.fields.append(None if action == _SKIP else {})
                    return
        self._start_slow(raw, state)

    def _start_slow(self, raw: str, state: int | str) -> None:
        stack = self.stack
        if len(stack) > MAX_DEPTH:
            raise _Refused(f"XML nested more than {MAX_DEPTH} levels deep")
        if state == _SKIP or isinstance(state, str):
            # Inside an extension, or markup inside a field's text: ignored.
            if isinstance(state, str):
                self._warn_markup_in(state)
            stack.append(_SKIP)
            self.fields.append(None)
            return
        dmarc, local = self._name(raw)
        if state == _ROOT:
            if not dmarc or local != "feedback":
                raise _Refused(
                    f"root element is <{local}>, not <feedback>: not a DMARC aggregate report"
                )
            uri = raw.rpartition(_SEP)[0] if _SEP in raw else ""
            self.schema = Schema.RFC9990 if uri == NAMESPACE_9990 else Schema.RFC7489
            stack.append(_FEEDBACK)
            self.fields.append({})
            return
        if not dmarc:
            # An extension element of another namespace.
            self.resolved[state][raw] = _SKIP
            stack.append(_SKIP)
            self.fields.append(None)
            return
        child = _CONTAINERS.get((state, local))
        if child is not None:
            self.resolved[state][raw] = child
            stack.append(child)
            if child == _RECORD and len(self.records) >= MAX_RECORDS:
                raise _Refused(f"more than {MAX_RECORDS:,} records in one report")
            self.fields.append(None if child == _SKIP else {})
            return
        if local in _LEAVES.get(state, ()):
            self.resolved[state][raw] = local
            stack.append(local)
            self.fields.append(None)
            self.text = []
            self.text_size = 0
            return
        self.resolved[state][raw] = _UNKNOWN
        if state != _RECORD or not raw.count(_SEP):
            self.warnings.add(
                f"unknown element <{local}> in <{_STATE_NAMES.get(state, '?')}> ignored",
                f"first at line {self.parser.CurrentLineNumber}",
            )
        stack.append(_SKIP)
        self.fields.append(None)

    def _warn_markup_in(self, field: str) -> None:
        self.warnings.add(
            f"markup inside <{field}> ignored", f"line {self.parser.CurrentLineNumber}"
        )

    def _chars(self, data: str) -> None:
        state = self.stack[-1]
        if isinstance(state, str):
            if self.text_size < MAX_FIELD_CHARS:
                self.text.append(data)
            self.text_size += len(data)
        elif not data.isspace() and state != _SKIP and state != _ROOT:
            self.warnings.add(
                f"stray text in <{_STATE_NAMES.get(state, '?')}> ignored",
                f"{data.strip()[:40]!r} at line {self.parser.CurrentLineNumber}",
            )

    def _end(self, _raw: str) -> None:
        state = self.stack.pop()
        own = self.fields.pop()
        parent = self.fields[-1]
        if isinstance(state, str):
            if parent is None:
                return
            parts = self.text
            text = (parts[0] if len(parts) == 1 else "".join(parts)).strip()
            if self.text_size <= MAX_FIELD_CHARS and state not in parent and state not in _MULTI:
                parent[state] = text
                return
            if self.text_size > MAX_FIELD_CHARS:
                self.warnings.add(
                    f"<{state}> longer than {MAX_FIELD_CHARS} characters cut",
                    f"line {self.parser.CurrentLineNumber}",
                )
                text = text[:MAX_FIELD_CHARS]
            if state in _MULTI:
                parent.setdefault(state, []).append(text)
            elif state in parent:
                self.warnings.add(
                    f"repeated <{state}>: the first kept",
                    f"line {self.parser.CurrentLineNumber}",
                )
            else:
                parent[state] = text
            return
        if state == _FEEDBACK and own is not None:
            self.version = own.get("version")
            return
        if own is None or parent is None:
            return
        if state == _RECORD:
            self._record(own)
        elif state == _META:
            if self.meta is None:
                self.meta = own
            else:
                self.warnings.add("repeated <report_metadata>: the first kept")
        elif state == _RANGE:
            self._once(parent, "date_range", own)
        elif state == _POLICY:
            if self.policy is None:
                self.policy = own
            else:
                self.warnings.add("repeated <policy_published>: the first kept")
        elif state == _ROW:
            self._once(parent, "row", own)
        elif state == _EVAL:
            self._once(parent, "eval", own)
        elif state == _REASON:
            parent.setdefault("reasons", []).append(own)
        elif state == _IDS:
            self._once(parent, "ids", own)
        elif state == _AUTH:
            parent.setdefault("auth", []).extend(own.get("auth", ()))
        elif state == _DKIM:
            parent.setdefault("auth", []).append((AuthMethod.DKIM, own))
        elif state == _SPF:
            parent.setdefault("auth", []).append((AuthMethod.SPF, own))

    def _once(self, parent: dict[str, Any], key: str, value: dict[str, Any]) -> None:
        if key in parent:
            self.warnings.add(f"repeated <{key}> in one record or metadata: the first kept")
        else:
            parent[key] = value

    # -- building the report --------------------------------------------------------

    def _not_well_formed(self, exc: expat.ExpatError, data: bytes) -> Exception:
        where = f"line {exc.lineno}, column {exc.offset}"
        index = self.parser.ErrorByteIndex
        code = exc.code
        if (
            code == expat.errors.codes[expat.errors.XML_ERROR_INVALID_TOKEN]
            and 0 <= index < len(data)
            and data[index] >= 0x80
        ):
            if self.recoding and _declares_utf8(data):
                return _Recode()
            return _Refused(
                f"not well-formed XML: byte 0x{data[index]:02x} at {where} is not valid "
                "in the document's encoding"
            )
        return _Refused(f"not well-formed XML: {expat.errors.messages[code]} at {where}")

    def _record(self, fields: dict[str, Any]) -> None:
        warn = self.warnings.add
        index = len(self.records)
        where = f"record {index + 1}"
        row = fields.get("row") or {}
        evaluated = row.get("eval") or {}
        ids = fields.get("ids") or {}
        count_text = row.get("count")
        count = _integer(count_text)
        if count is None or count < 0 or count > MAX_COUNT:
            warn(
                "record without a usable message count dropped",
                f"{where}: count {count_text!r}",
            )
            return
        if count_text is not None and not (count_text.isascii() and count_text.isdigit()):
            warn("message count written oddly, read as a whole number", f"{where}: {count_text!r}")
        ip_text = row.get("source_ip", "")
        source_ip = _ip(ip_text)
        if source_ip is None:
            warn("source_ip is not an IP address (kept as written)", f"{where}: {ip_text!r}")
            source_ip = ip_text
        disposition = self._enum(evaluated.get("disposition"), DISPOSITIONS, "disposition", where)
        dkim = self._enum(evaluated.get("dkim"), DMARC_RESULTS, "policy_evaluated dkim", where)
        spf = self._enum(evaluated.get("spf"), DMARC_RESULTS, "policy_evaluated spf", where)
        types: list[str] = []
        comments: list[str] = []
        for reason in evaluated.get("reasons", ()):
            kind = reason.get("type", "").lower()
            comment = reason.get("comment", "")
            if not kind and not comment:
                warn("empty <reason> ignored", where)
                continue
            if kind not in OVERRIDE_TYPES:
                warn("override reason type outside the schema (kept)", f"{where}: {kind!r}")
            types.append(kind or "other")
            if comment:
                comments.append(comment)
        header_from = self._identifier(ids.get("header_from"), "header_from", where)
        if not header_from:
            warn("record without header_from (not attributed to a domain)", where)
        envelope_from = ids.get("envelope_from")
        envelope_to = ids.get("envelope_to")
        self.records.append(
            RecordRow(
                index,
                source_ip,
                count,
                disposition,
                dkim,
                spf,
                " ".join(types),
                " | ".join(comments),
                None if envelope_to is None else _domain(envelope_to),
                None
                if envelope_from is None
                else self._identifier(envelope_from, "envelope_from", where),
                header_from,
            )
        )
        for method, auth in fields.get("auth", ()):
            domain = _domain(auth.get("domain", ""))
            result = auth.get("result", "").lower()
            known = DKIM_RESULTS if method is AuthMethod.DKIM else SPF_RESULTS
            if result not in known:
                warn(
                    f"{method} result outside the schema (kept as written)",
                    f"{where}: {result!r}",
                )
            selector = auth.get("selector")
            scope = auth.get("scope")
            self.auth.append(
                AuthRow(
                    index,
                    method.value,
                    domain,
                    None if selector is None else selector.strip().lower(),
                    None if scope is None else scope.strip().lower(),
                    result,
                    auth.get("human_result") or None,
                )
            )

    def _enum(self, text: str | None, known: frozenset[str], name: str, where: str) -> str:
        if text is None:
            self.warnings.add(f"record without {name}", where)
            return ""
        value = text.lower()
        if value not in known:
            self.warnings.add(f"{name} outside the schema (kept as written)", f"{where}: {text!r}")
        return value

    def _identifier(self, text: str | None, name: str, where: str) -> str:
        if not text:
            return ""
        if "@" in text:
            self.warnings.add(f"{name} holds an address, its domain taken", f"{where}: {text!r}")
            text = text.rpartition("@")[2]
        value = _domain(text)
        if not _looks_like_domain(value):
            self.warnings.add(
                f"{name} is not a domain name (kept as written)", f"{where}: {text!r}"
            )
        return value

    def _report(self) -> AggregateReport:
        warn = self.warnings.add
        meta = self.meta
        if meta is None:
            raise _Refused("no <report_metadata>: not a DMARC aggregate report")
        report_id = meta.get("report_id", "")
        if not report_id:
            raise _Refused("no report_id in <report_metadata>: the report cannot be identified")
        email = meta.get("email", "")
        org_name = meta.get("org_name", "")
        if not org_name:
            fallback = email.rpartition("@")[2].strip().lower() if "@" in email else ""
            org_name = fallback or "(unnamed reporter)"
            warn("empty org_name: reporter named after its e-mail domain", repr(org_name))
        begin, end = self._dates(meta.get("date_range"))
        policy = self._policy()
        if not self.records:
            warn("report has no usable records")
        errors = tuple(meta.get("error", ()))
        return AggregateReport(
            org_name=org_name,
            email=email,
            extra_contact_info=meta.get("extra_contact_info") or None,
            report_id=report_id,
            begin_us=begin * 1_000_000,
            end_us=end * 1_000_000,
            errors=errors,
            generator=meta.get("generator") or None,
            schema=self.schema,
            version=self.version,
            policy=policy,
            records=tuple(self.records),
            auth=tuple(self.auth),
            warnings=self.warnings.as_tuple(),
        )

    def _dates(self, date_range: dict[str, Any] | None) -> tuple[int, int]:
        if date_range is None:
            raise _Refused("no <date_range> in <report_metadata>: the report cannot be dated")
        values = []
        for key in ("begin", "end"):
            text = date_range.get(key)
            value = _integer(text)
            if value is None:
                raise _Refused(f"date_range {key} {text!r} is not a number of seconds")
            if not 0 <= value <= MAX_EPOCH_SECONDS:
                raise _Refused(f"date_range {key} {text!r} is not a plausible time")
            if text is not None and not (text.isascii() and text.isdigit()):
                self.warnings.add("date written oddly, read as whole seconds", repr(text))
            values.append(value)
        begin, end = values
        if end < begin:
            raise _Refused(f"date_range ends ({end}) before it begins ({begin})")
        if begin < DMARC_EPOCH:
            self.warnings.add("date_range begins before DMARC existed (2012)", str(begin))
        if end == begin:
            self.warnings.add("date_range begins and ends at the same second", str(begin))
        elif end - begin > 7 * 86_400:
            days = (end - begin) // 86_400
            self.warnings.add("date_range covers more than a week", f"{days} days")
        return begin, end

    def _policy(self) -> PublishedPolicy:
        policy = self.policy
        if policy is None:
            raise _Refused("no <policy_published>: the report names no domain")
        domain = _domain(policy.get("domain", ""))
        if not domain:
            raise _Refused("no domain in <policy_published>: the report names no domain")
        if not _looks_like_domain(domain):
            self.warnings.add("policy_published domain is not a domain name", repr(domain))
        modes = []
        for tag in ("adkim", "aspf"):
            value = policy.get(tag, "r").lower() or "r"
            if value not in ALIGNMENT_MODES:
                self.warnings.add(f"{tag} outside the schema, read as relaxed", repr(value))
                value = "r"
            modes.append(value)
        p = policy.get("p", "").lower()
        if not p:
            self.warnings.add("policy_published without p")
        pct_text = policy.get("pct")
        pct = _integer(pct_text)
        if pct_text is not None and (pct is None or not 0 <= pct <= 100):
            self.warnings.add("pct outside 0-100 ignored", repr(pct_text))
            pct = None
        return PublishedPolicy(
            domain=domain,
            adkim=modes[0],
            aspf=modes[1],
            p=p,
            sp=_lower_or_none(policy.get("sp")),
            np=_lower_or_none(policy.get("np")),
            pct=pct,
            fo=policy.get("fo") or None,
            testing=_lower_or_none(policy.get("testing")),
            discovery_method=_lower_or_none(policy.get("discovery_method")),
        )


def _lower_or_none(text: str | None) -> str | None:
    return text.lower() if text else None


def _integer(text: str | None) -> int | None:
    """A whole number written as digits, or as a float with nothing after the point."""
    if text is None:
        return None
    value = text.strip()
    if value.isascii() and value.isdigit() and len(value) <= 20:
        return int(value)
    try:
        number = float(value)
    except ValueError:
        return None
    if number != number or number in (float("inf"), float("-inf")) or not number.is_integer():
        return None
    return int(number)


def _declares_utf8(data: bytes) -> bool:
    """No XML declaration, or one naming UTF-8 (the encodings expat reads as UTF-8)."""
    head = data[:200].lstrip(b"\xef\xbb\xbf")
    if not head.startswith(b"<?xml"):
        return True
    declaration = head.split(b"?>", 1)[0].lower()
    if b"encoding" not in declaration:
        return True
    return b"utf-8" in declaration or b"utf8" in declaration
