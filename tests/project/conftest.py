"""Fixtures of the project-level tests."""

from tests.oidc_provider.fixtures import provider, sso  # noqa: F401 (the SSO tests' provider and settings)
