"""The questionnaire readiness notes in the report's terms."""

from __future__ import annotations

from assessment.readiness import Readiness
from assessment.report.sections import FrameworkView, ReadinessItemView, ReadinessSection


def readiness_section(readiness: Readiness) -> ReadinessSection:
    """The readiness results in the report's terms."""
    views = tuple(
        FrameworkView(
            f"{result.framework.name} ({result.framework.scope})",
            tuple(
                ReadinessItemView(
                    question=f"{item.item.reference}: {item.item.question}",
                    status=item.status,
                    evidence=item.evidence,
                    observed_at=item.observed_at,
                    security_lens=item.security_lens,
                    deliverability_lens=item.deliverability_lens,
                )
                for item in result.items
            ),
        )
        for result in readiness.frameworks
    )
    return ReadinessSection(views, tuple(c.text for c in readiness.confirmations))
