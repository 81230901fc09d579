"""Getting report files in: sources walked, e-mail and archives opened under caps, stores written.

Shared by the TLS-RPT and DMARC imports; a report type supplies a ``ReportFormat``
(what its files and attachments look like) and a ``Preparer`` (how it parses).
"""
