from pathlib import Path

import pytest


@pytest.fixture
def test_templates(settings):
    """Templates that exist only for tests (tests/templates)."""
    settings.TEMPLATES[0]["DIRS"] = [
        *settings.TEMPLATES[0]["DIRS"],
        Path(__file__).resolve().parent.parent / "templates",
    ]
