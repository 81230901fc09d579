"""A TLS-RPT parse worker process: ``python -m assessment.tlsrpt.worker``.

Started by ``assessment.intake.workers`` for big imports; the protocol is
``assessment.intake.worker``'s.
"""

from __future__ import annotations

from assessment.intake.worker import run
from assessment.tlsrpt.prepare import prepare_plain

if __name__ == "__main__":
    raise SystemExit(run(prepare_plain))
