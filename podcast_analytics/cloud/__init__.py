"""The cloud side of the pipeline: the DAG's task logic on MWAA, stage by stage.

`load` (wait for Snowpipe, check COPY_HISTORY), `export` (COPY INTO the exports stage),
`artefacts` (dbt manifest and run results to S3); `transform` is cosmos' dbt task group in
the DAG itself. Stage names match `podcast_analytics.local`. Plain Python (no Airflow
import): the DAG hands these functions a DB-API connection or a boto3 client. Shipped to
MWAA inside `dags/podcast_analytics/`.
"""
