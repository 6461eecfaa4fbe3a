"""project.cache.RedisCache: Django's Redis cache keeping one redis client per pool."""

import uuid

import pytest

from project.cache import RedisCache
from tests.helpers import redis_or_skip

REDIS = "redis://127.0.0.1:6379/5"


def test_values_round_trip_and_the_client_is_built_once():
    redis_or_skip(REDIS)
    prefix = f"kinerja-test-{uuid.uuid4().hex[:12]}"
    cache = RedisCache(REDIS, {"KEY_PREFIX": prefix})
    try:
        cache.set("menu", {"inbox": 3}, 30)
        assert cache.get("menu") == {"inbox": 3}
        assert cache.get_many(["menu", "missing"]) == {"menu": {"inbox": 3}}
        assert cache.add("menu-n", 1)
        assert cache.incr("menu-n", 1) == 2
        assert cache.get("menu-n") == 2
        client = cache._cache.get_client(write=True)
        assert cache._cache.get_client(write=True) is client
        assert cache._cache.get_client() is cache._cache.get_client()
    finally:
        cache.delete_many(["menu", "menu-n"])
    assert cache.get("menu") is None


def test_a_bad_server_still_fails_loudly():
    cache = RedisCache("redis://127.0.0.1:1/0", {})
    with pytest.raises(Exception, match="(?i)connect"):
        cache.get("anything")
