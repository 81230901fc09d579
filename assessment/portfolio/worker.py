"""One client's job in its own process: `python -m assessment.portfolio.worker JOB OUT`.

The local executor starts one per client rather than forking or spawning a pool: a fresh
interpreter inherits no threads or sockets of the parent (a sandbox, a progress display), never
re-imports the parent's `__main__`, and a worker that dies takes only its own client with it.
The job and its outcome travel as JSON files (`assessment.codec`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from assessment.codec import from_json, to_json
from assessment.portfolio.jobs import ClientJob, assess_client
from assessment.workspace import write_atomic


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m assessment.portfolio.worker JOB.json OUT.json", file=sys.stderr)
        return 2
    job = from_json(ClientJob, json.loads(Path(argv[0]).read_text(encoding="utf-8")))
    outcome = assess_client(job)
    write_atomic(Path(argv[1]), json.dumps(to_json(outcome)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
