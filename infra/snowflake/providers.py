"""The one explicit Snowflake provider the program deploys through.

Explicit rather than a default provider, because the organization and account come from the
shared config (one source of truth) and only code can hand them to a provider; the stack
files also set `pulumi:disable-default-providers` so a resource that forgets its provider
fails instead of silently using ambient credentials.

The provider acts as the environment's deployer role (created once by an account admin, see
bootstrap.py). Nothing in the routine run needs ACCOUNTADMIN any more: the resource monitor,
the one object only ACCOUNTADMIN may create and attach, is the admin bootstrap's job. A
pull-request preview runs the same program as the read-only previewer role instead
(`PODCAST_SNOWFLAKE_ROLE=previewer`, set by `make preview`); what a run can change is decided
by the credential it holds, and the preview credential's user has only the previewer role.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_snowflake as snowflake

from podcast_analytics.config import SnowflakeConfig

# Preview resources the program uses; the provider refuses them unless listed.
PREVIEW_FEATURES: tuple[str, ...] = (
    "snowflake_table_resource",
    "snowflake_pipe_resource",
    # The Snowpipe error notification integration (AWS SNS), see ingestion.py.
    "snowflake_notification_integration_resource",
)
KEY_PAIR_AUTHENTICATOR = "SNOWFLAKE_JWT"
# Which of the config's roles the provider acts as: the deployer (make deploy) or the
# read-only previewer (pull-request previews). Anything else is refused.
ROLE_VARIABLE = "PODCAST_SNOWFLAKE_ROLE"
PROVIDER_ROLES: tuple[str, ...] = ("deployer", "previewer")
# Provider settings that would compete with the shared config if set in a stack file.
_CONFIG_OWNED_KEYS = ("organizationName", "accountName", "role")


class ProviderConfigError(ValueError):
    """The stack configuration contradicts the shared config or the auth policy."""


@dataclass(frozen=True)
class Providers:
    deployer: snowflake.Provider


def provider_role(sf: SnowflakeConfig, environ: Mapping[str, str] = os.environ) -> str:
    """The Snowflake role this run acts as: the deployer unless a preview asks otherwise."""
    choice = environ.get(ROLE_VARIABLE) or "deployer"
    if choice not in PROVIDER_ROLES:
        raise ProviderConfigError(f"{ROLE_VARIABLE}={choice!r}: use {' or '.join(PROVIDER_ROLES)}")
    return sf.deployer_role if choice == "deployer" else sf.roles.previewer


def build_providers(sf: SnowflakeConfig) -> Providers:
    stack_config = pulumi.Config("snowflake")
    clashes = [key for key in _CONFIG_OWNED_KEYS if stack_config.get(key) is not None]
    if clashes:
        raise ProviderConfigError(
            f"remove snowflake:{', snowflake:'.join(clashes)} from the stack config: "
            "organization, account and role come from podcast_analytics/config"
        )
    authenticator = stack_config.get("authenticator") or KEY_PAIR_AUTHENTICATOR
    if authenticator != KEY_PAIR_AUTHENTICATOR:
        raise ProviderConfigError(
            f"snowflake:authenticator is {authenticator!r}; this project deploys with "
            f"key-pair auth ({KEY_PAIR_AUTHENTICATOR}) only"
        )
    enabled = stack_config.get_object("previewFeaturesEnabled") or []
    missing = [feature for feature in PREVIEW_FEATURES if feature not in enabled]
    if missing:
        raise ProviderConfigError(
            f"snowflake:previewFeaturesEnabled lacks {', '.join(missing)} (needed for the "
            "raw table, the pipe and its error notifications)"
        )
    deployer = snowflake.Provider(
        "deployer",
        organization_name=sf.organization,
        account_name=sf.account,
        role=provider_role(sf),
        authenticator=KEY_PAIR_AUTHENTICATOR,
        # Unset values fall back to SNOWFLAKE_USER / SNOWFLAKE_PRIVATE_KEY(_PASSPHRASE) in the
        # provider: those variables are the deployer's (or, in a preview, the previewer's)
        # and nobody else's; dbt's key has its own variables (config/dbt_profiles.py).
        user=stack_config.get("user"),
        private_key=stack_config.get_secret("privateKey"),
        private_key_passphrase=stack_config.get_secret("privateKeyPassphrase"),
        preview_features_enabled=list(enabled),
    )
    return Providers(deployer=deployer)
