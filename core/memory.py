"""Small stores in one process's memory, for things worked out once and used on many requests."""

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable


class ProcessMemory[K: Hashable, V]:
    """The `size` most recently used entries, shared by the threads of one process. With
    `max_age`, an entry older than that many seconds is forgotten when next asked for."""

    def __init__(self, size: int, *, max_age: float | None = None) -> None:
        self.size = size
        self.max_age = max_age
        self._entries: OrderedDict[K, tuple[V, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            value, made_at = entry
            if self.max_age is not None and time.monotonic() - made_at > self.max_age:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._entries[key] = (value, time.monotonic())
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
