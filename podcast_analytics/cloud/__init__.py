"""Cloud-mode task logic of the DAG: Snowflake load checks, mart unloads, dbt artefacts.

Plain Python (no Airflow import) so it runs and is tested anywhere: the DAG hands these
functions a DB-API connection (from the Airflow Snowflake connection) or a boto3 client.
Shipped to MWAA inside `dags/podcast_analytics/`.
"""
