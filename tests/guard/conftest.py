from __future__ import annotations

import pytest

from agent.guard import GuardChecker
from agent.settings import Settings


@pytest.fixture(scope="session")
def checker() -> GuardChecker:
    """One compiled policy + one guardrails-ai Guard for the whole session (import ≈ 3 s)."""
    return GuardChecker.from_settings(Settings())
