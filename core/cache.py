"""Django's Redis cache, keeping one Redis client per connection pool for the life of the process.

Django's own backend makes a new `redis.Redis` for every cache call. Making one is not free in
redis-py: it checks its arguments with `inspect` and builds a table of about 170 reply handlers,
which together cost more than the round trip to Redis on loopback. A signed-in page makes four
or five cache calls, so this was about a millisecond of CPU a page. A `redis.Redis` is safe to
share between threads (each command takes a connection from the pool), and its pool notices a
fork and opens new connections in the child, so one per pool is enough.
"""

from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: str | None = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(
                    self._servers[index], **self._pool_options
                )
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class RedisCache(DjangoRedisCache):
    """Use as `core.cache.RedisCache` in CACHES, with the same options as Django's."""

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
