"""`python -m assessment.readiness > docs/readiness-sources.md`: the sources page."""

import sys

from assessment.readiness.instruments import sources_markdown

sys.stdout.write(sources_markdown())
