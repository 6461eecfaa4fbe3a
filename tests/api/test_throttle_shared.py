"""The API's throttle counts across processes when the cache is Redis (KINERJA_CACHE_URL): two gunicorn
servers on the test database, one token, requests alternating between them. With the default
local-memory cache each process counts on its own, which is why production sets the URL."""

import os
import uuid

import pytest
import redis
import requests

from bench import gunicorn
from tests.helpers import database_url, redis_or_skip

REDIS = "redis://127.0.0.1:6379/5"
RATE = 2  # requests per minute and token


@pytest.fixture
def cache_prefix():
    """A key prefix of this test's own in Redis database 5; its keys are deleted afterwards."""
    client = redis_or_skip(REDIS)
    prefix = f"kinerja-test-{uuid.uuid4().hex[:12]}"
    yield prefix
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def statuses_alternating(org, token_of, tmp_path, cache_env: dict) -> list[int]:
    """Four requests of one token, alternating between two gunicorn processes."""
    secret = token_of(org.pelaksana.user)
    env = {
        **os.environ,
        **cache_env,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "KINERJA_VAR_DIR": str(tmp_path),
        "KINERJA_API_RATE": f"{RATE}/min",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("KINERJA_EXTRA_APPS", None)
    # anonymous probes: a 401, not counted for the token
    servers = [gunicorn.start(env, probe="/api/v1/me/", wait=False) for _ in range(2)]
    try:
        for server in servers:
            server.wait_until_up()
        headers = {"Authorization": f"Bearer {secret}"}
        return [
            requests.get(f"{servers[i % 2].base}/api/v1/me/", headers=headers, timeout=30).status_code for i in range(4)
        ]
    finally:
        for server in servers:
            server.stop()


@pytest.mark.django_db(transaction=True)
def test_two_processes_share_one_throttle_count_in_redis(org, periode, token_of, tmp_path, cache_prefix):
    statuses = statuses_alternating(
        org, token_of, tmp_path, {"KINERJA_CACHE_URL": REDIS, "KINERJA_CACHE_PREFIX": cache_prefix}
    )
    assert statuses == [200, 200, 429, 429]
    # the count is in Redis, under this test's prefix
    assert list(redis.Redis.from_url(REDIS).scan_iter(match=f"{cache_prefix}:*throttle_api_token-*"))


@pytest.mark.django_db(transaction=True)
def test_without_a_cache_url_each_process_counts_on_its_own(org, periode, token_of, tmp_path):
    statuses = statuses_alternating(org, token_of, tmp_path, {"KINERJA_CACHE_URL": ""})
    assert statuses == [200, 200, 200, 200]  # twice the rate: why production sets KINERJA_CACHE_URL
