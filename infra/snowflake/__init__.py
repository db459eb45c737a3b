"""Pulumi program for Snowflake: `pulumi preview|up -s dev|prod` from the repository root."""
