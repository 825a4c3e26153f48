"""Scenarios shared by the registration tests (on top of tests/delegates/conftest.py)."""

import pytest


@pytest.fixture
def forum(open_forum):
    """The forum of these tests: open for registration (tests/delegates/conftest.py)."""
    return open_forum
