"""What a process keeps in memory (core.memory): the most recently used, and not for too long."""

from core import memory
from core.memory import ProcessMemory


def test_the_least_recently_used_entry_makes_room_for_a_new_one():
    kept = ProcessMemory(2)
    kept.put("list", "a")
    kept.put("sidebar", "b")
    assert kept.get("list") == "a"  # used again: now the sidebar is the oldest

    kept.put("headers", "c")

    assert kept.get("sidebar") is None
    assert (kept.get("list"), kept.get("headers")) == ("a", "c")


def test_an_entry_older_than_its_age_limit_is_forgotten(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(memory.time, "monotonic", lambda: now[0])
    kept = ProcessMemory(10, max_age=300)
    kept.put("page", "html")

    now[0] += 300
    assert kept.get("page") == "html"
    now[0] += 1
    assert kept.get("page") is None


def test_clearing_forgets_everything():
    kept = ProcessMemory(10)
    kept.put("page", "html")
    kept.clear()
    assert kept.get("page") is None
