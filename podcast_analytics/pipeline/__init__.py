"""The local pipeline: steps (shared with the Airflow DAG), runner, reconciliation, report.

`steps` is the interface: `local_aws` gives a `LocalContext`, and `ingest`, `load`,
`transform`, `export`, `upload_artefacts`, `reconcile` each take it and return a small
JSON-able summary. `runner.run_pipeline` chains them for `make pipeline`.
"""

from podcast_analytics.pipeline.errors import PipelineError

__all__ = ["PipelineError"]
