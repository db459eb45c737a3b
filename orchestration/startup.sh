#!/bin/sh
# MWAA startup script (the CDK app points the environment's StartupScriptS3Path at it).
# It runs on every scheduler, worker and web server before Airflow starts. It gives dbt its
# own virtualenv, so dbt is never resolved together with Airflow: cosmos calls
# ${AIRFLOW_HOME}/dbt_venv/bin/dbt (settings.mwaa.dbt_executable; AIRFLOW_HOME is
# /usr/local/airflow on MWAA). The pins equal requirements/dev.lock, the dbt that
# `make test` and CI build with (tests/orchestration/test_requirements.py checks both).
# No `set -e`: MWAA sources this file, and an exiting shell would stop the container start.

DBT_VENV_PATH="${AIRFLOW_HOME}/dbt_venv"
if [ ! -x "${DBT_VENV_PATH}/bin/dbt" ]; then
    export PIP_USER=false
    python3 -m venv "${DBT_VENV_PATH}"
    "${DBT_VENV_PATH}/bin/pip" install --quiet "dbt-core==1.11.16" "dbt-snowflake==1.11.6"
    export PIP_USER=true
fi
