"""A DMARC parse worker process: ``python -m assessment.dmarc.worker``.

Started by ``assessment.intake.workers`` for big imports; the protocol is
``assessment.intake.worker``'s.
"""

from __future__ import annotations

from assessment.dmarc.prepare import prepare_plain
from assessment.intake.worker import run

if __name__ == "__main__":
    raise SystemExit(run(prepare_plain))
