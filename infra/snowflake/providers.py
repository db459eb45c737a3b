"""The explicit Snowflake providers the program deploys through.

Explicit rather than default providers, because the organization and account come from the
shared config (one source of truth) and only code can hand them to a provider; the stack
files also set `pulumi:disable-default-providers` so a resource that forgets its provider
fails instead of silently using ambient credentials.

Everything is deployed as the environment's deployer role (created once by an account
admin, see infra/README.md). The one exception is the resource monitor: Snowflake lets only
ACCOUNTADMIN create resource monitors, so that single resource goes through a second
provider and nothing else does (a test holds the program to that).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_snowflake as snowflake

from podcast_analytics.config import SnowflakeConfig

# Preview resources the program uses; the provider refuses them unless listed.
PREVIEW_FEATURES: tuple[str, ...] = ("snowflake_table_resource", "snowflake_pipe_resource")
ACCOUNT_ADMIN_ROLE = "ACCOUNTADMIN"  # Snowflake's system role, needed for resource monitors
KEY_PAIR_AUTHENTICATOR = "SNOWFLAKE_JWT"
# Provider settings that would compete with the shared config if set in a stack file.
_CONFIG_OWNED_KEYS = ("organizationName", "accountName", "role")


class ProviderConfigError(ValueError):
    """The stack configuration contradicts the shared config or the auth policy."""


@dataclass(frozen=True)
class Providers:
    deployer: snowflake.Provider
    account_admin: snowflake.Provider


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
            "raw table and the pipe)"
        )

    def provider(name: str, role: str) -> snowflake.Provider:
        return snowflake.Provider(
            name,
            organization_name=sf.organization,
            account_name=sf.account,
            role=role,
            authenticator=KEY_PAIR_AUTHENTICATOR,
            # Unset values fall back to SNOWFLAKE_USER / SNOWFLAKE_PRIVATE_KEY(_PASSPHRASE)
            # in the provider; the key is a secret (`pulumi config set --secret`).
            user=stack_config.get("user"),
            private_key=stack_config.get_secret("privateKey"),
            private_key_passphrase=stack_config.get_secret("privateKeyPassphrase"),
            preview_features_enabled=list(enabled),
        )

    return Providers(
        deployer=provider("deployer", sf.deployer_role),
        account_admin=provider("account-admin", ACCOUNT_ADMIN_ROLE),
    )
