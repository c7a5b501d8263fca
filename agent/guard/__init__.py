"""Guardrails: ``guardrails/policy.yaml`` compiled into an offline Chinese rule engine that runs
through guardrails-ai validators. See docs/CONTRACTS.md §3.

guardrails-ai itself is imported only when the first text is checked.
"""

from agent.guard.checker import GuardChecker
from agent.guard.models import GuardResult, Violation

__all__ = ["GuardChecker", "GuardResult", "Violation"]
