"""What each report source yielded, as the command line and run.json say it."""

from __future__ import annotations

from pathlib import Path

from assessment.intake.outcomes import record_sources, source_outcomes
from assessment.tlsrpt.batch import LoggedItem, Outcome
from assessment.tlsrpt.ingest import ImportResult, Rejection
from assessment.workspace import RunFolder, RunInfo, SourceOutcome


def _result(*items: LoggedItem) -> ImportResult:
    return ImportResult(
        imported=sum(i.outcome is Outcome.IMPORTED for i in items),
        duplicate=sum(i.outcome is Outcome.DUPLICATE for i in items),
        rejected=tuple(Rejection(i.item, i.reason) for i in items if i.outcome is Outcome.REJECTED),
        items=items,
    )


def item(source: str, name: str, outcome: Outcome, reason: str = "") -> LoggedItem:
    return LoggedItem(source, name, outcome, reason, None)


def test_counts_errors_and_silence_per_source() -> None:
    folder, missing, empty = "/r", "/nope", "/empty"
    imap = "imaps://bob:secret@mail.example/INBOX"
    shown_imap = "imaps://bob:***@mail.example/INBOX"
    result = _result(
        item(folder, "/r/a.json", Outcome.IMPORTED),
        item(folder, "/r/b.json", Outcome.DUPLICATE),
        item(folder, "/r/c.txt", Outcome.REJECTED, "not a recognised report file"),
        item(missing, missing, Outcome.REJECTED, "no such file or folder"),
        item(imap, "imaps://bob@mail.example:993/INBOX", Outcome.REJECTED, "cannot connect"),
    )
    by_source = {o.source: o for o in source_outcomes([folder, missing, empty, imap], result)}
    assert list(by_source) == [folder, missing, empty, shown_imap]
    read = by_source[folder]
    assert (read.imported, read.duplicate, read.rejected, read.error) == (1, 1, 1, "")
    assert not read.failed
    assert by_source[missing].error == "no such file or folder" and by_source[missing].failed
    assert by_source[empty].error == "no report files found" and by_source[empty].failed
    assert by_source[shown_imap].error == "cannot connect"
    assert "secret" not in repr(by_source)


def test_one_rejected_message_of_a_mailbox_is_not_a_failed_source() -> None:
    imap = "imaps://bob@mail.example/INBOX"
    result = _result(
        item(imap, "imaps://bob@mail.example:993/INBOX#UID7", Outcome.REJECTED, "no report")
    )
    (outcome,) = source_outcomes([imap], result)
    assert outcome.error == "" and outcome.rejected == 1 and outcome.failed


def test_sources_of_both_kinds_keep_one_order_whoever_records_first(tmp_path: Path) -> None:
    run = RunFolder(tmp_path / "run")
    run.path.mkdir()
    run.write_info(RunInfo("Acme", ("acme.example",), "2026-12-04", str(tmp_path)))
    record_sources(run, [SourceOutcome("dmarc", "/d", imported=3)])
    record_sources(run, [SourceOutcome("tlsrpt", "/t", imported=2)])
    # Recording a kind again replaces it and keeps the other.
    record_sources(run, [SourceOutcome("dmarc", "/d2", imported=1)])
    assert [(s.kind, s.source) for s in run.read_info().sources] == [
        ("tlsrpt", "/t"),
        ("dmarc", "/d2"),
    ]
