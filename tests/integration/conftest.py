"""Fixtures shared by the integration tests (the database ones are in tests/conftest.py)."""

from __future__ import annotations

import pytest

from referral.gazetteer import Gazetteer
from tests.helpers import Clock


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return Gazetteer.load()  # read once: it is only looked up


@pytest.fixture
def clock() -> Clock:
    return Clock()
