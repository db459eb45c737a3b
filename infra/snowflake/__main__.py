"""Pulumi entry point (`main: infra/snowflake/` in Pulumi.yaml): the stack name picks the env."""

import sys
from pathlib import Path

# Pulumi runs this directory as a script; the program's modules import as `infra.snowflake`
# from the repository root, which is therefore put on the path first.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import pulumi

from infra.snowflake.program import build
from infra.snowflake.stacks import settings_for_stack

for name, value in build(settings_for_stack(pulumi.get_stack())).items():
    pulumi.export(name, value)
