"""`make pipeline` end to end on the local side: runner, sources, ledger, reconciliation,
dbt runner, report, bench. The stages themselves live in `podcast_analytics.local`.
"""

from podcast_analytics.pipeline.errors import PipelineError

__all__ = ["PipelineError"]
