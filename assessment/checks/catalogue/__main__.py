"""Print docs/findings.md."""

import sys

from assessment.checks.catalogue import render_markdown

sys.stdout.write(render_markdown())
