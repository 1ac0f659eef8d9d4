import copy
from pathlib import Path

import pytest


@pytest.fixture
def test_templates(settings):
    """Templates that exist only for tests (tests/templates)."""
    # Assign a new value rather than changing the dict in place, so Django rebuilds its template
    # engines (which an earlier test may already have built) and the change is undone afterwards.
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [
        *templates[0]["DIRS"],
        Path(__file__).resolve().parent.parent / "templates",
    ]
    settings.TEMPLATES = templates
