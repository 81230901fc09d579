"""The gather layer: the only code that opens sockets. It records observations, not verdicts."""

from assessment.gather.collect import (
    ResolverUnavailable,
    check_resolvers,
    gather,
    gather_domain,
)
from assessment.gather.snapshot import SnapshotError, load_evidence, save_evidence

__all__ = [
    "ResolverUnavailable",
    "SnapshotError",
    "check_resolvers",
    "gather",
    "gather_domain",
    "load_evidence",
    "save_evidence",
]
