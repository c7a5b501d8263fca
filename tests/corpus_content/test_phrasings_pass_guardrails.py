"""Cross-check: every recommended phrasing passes the project's own guardrails.

The drafter copies these phrasings, so a phrasing that trips a must-avoid rule would teach the
model the very behaviour the guard blocks. Entries without a stage are checked against all six.
"""

from __future__ import annotations

import pytest

from agent.vocab import Stage

from ._load import raw_entries

pytestmark = pytest.mark.slow  # imports guardrails-ai and runs ~600 checks (~8 s)


def test_every_phrasing_passes_the_guard(tmp_path):
    guard = pytest.importorskip("agent.guard")
    from agent.settings import Settings

    checker = guard.GuardChecker.from_settings(Settings(data_dir=tmp_path))
    failures = []
    for _, entry in raw_entries():
        stages = [entry["stage"]] if entry["stage"] else [s.value for s in Stage]
        for phrasing in entry["phrasings"]:
            for stage in stages:
                result = checker.check(phrasing, stage=stage)
                if result.violations:
                    failures.append((entry["id"], stage, phrasing,
                                     [(v.rule_id, v.excerpt) for v in result.violations]))
    assert not failures, "\n".join(map(str, failures))
