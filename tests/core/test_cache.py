"""The shared cache (core.cache): Django's Redis cache, with one Redis client kept per process."""

import os

import pytest

from core.cache import RedisCache


def test_every_cache_call_shares_one_redis_client_rather_than_making_one_each_time():
    cache = RedisCache("redis://127.0.0.1:6379/15", {})
    client = cache._cache.get_client()

    assert cache._cache.get_client("a-key") is client
    assert cache._cache.get_client(write=True) is client
    assert client.connection_pool is cache._cache._get_connection_pool(write=True)


def test_a_cache_with_replicas_keeps_a_client_for_each_server():
    cache = RedisCache("redis://127.0.0.1:6379/15,redis://127.0.0.1:6380/15", {})

    primary = cache._cache.get_client(write=True)
    replica = cache._cache.get_client()

    assert primary is not replica
    assert cache._cache.get_client(write=True) is primary
    assert cache._cache.get_client() is replica


@pytest.mark.skipif(not os.environ.get("CI_REDIS_URL"), reason="needs a real Redis (CI_REDIS_URL)")
def test_values_go_to_redis_and_come_back():
    cache = RedisCache(os.environ["CI_REDIS_URL"], {"OPTIONS": {}})
    cache.set("seedbed-test:cache", {"pence": 12_345}, 30)
    try:
        assert cache.get("seedbed-test:cache") == {"pence": 12_345}
        assert cache.get_many(["seedbed-test:cache", "seedbed-test:none"]) == {
            "seedbed-test:cache": {"pence": 12_345}
        }
    finally:
        cache.delete("seedbed-test:cache")
