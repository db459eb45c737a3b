"""Small facts shared across tools, each defined once here and imported everywhere else.

Stdlib only, so the Lambda-free parts of the package, the CDK app, the Pulumi program and the
DAG can all import it without pulling in more than they need.
"""

from __future__ import annotations

from pathlib import Path

# The checkout (here) or the MWAA DAG folder (dags/): both hold podcast_analytics/ and
# transform/ side by side, so one rule finds everything relative to the package.
REPO_ROOT = Path(__file__).resolve().parents[2]
TRANSFORM_DIR = REPO_ROOT / "transform"
