"""Unusable input raises InvalidInput with both languages; broken policy files are named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agent.errors import InvalidInput
from agent.guard import GuardChecker
from agent.guard.policy import load_policy
from agent.settings import Settings


@pytest.mark.parametrize(
    ("text", "stage", "code"),
    [
        ("", "act", "empty_text"),
        ("   \n", "act", "empty_text"),
        (None, "act", "not_a_string"),
        (123, "act", "not_a_string"),
        (["您好"], "act", "not_a_string"),
        ("您好", "reply", "unknown_stage"),
        ("您好", None, "unknown_stage"),
        ("您好", "", "unknown_stage"),
    ],
)
def test_bad_items(checker, text, stage, code):
    with pytest.raises(InvalidInput) as info:
        checker.check(text, stage)
    assert info.value.code == code
    assert info.value.zh and info.value.en


def test_over_long_text():
    checker = GuardChecker.from_settings(Settings(max_reply_chars=50))
    checker.check("好" * 50, "act")  # at the limit is fine (and passes)
    with pytest.raises(InvalidInput) as info:
        checker.check("好" * 51, "act")
    assert info.value.code == "text_too_long" and "51" in info.value.en


def test_bad_draft_sets(checker):
    with pytest.raises(InvalidInput):
        checker.check_set({})
    with pytest.raises(InvalidInput):
        checker.check_set({"act": ""})
    with pytest.raises(InvalidInput):
        checker.check_set({"closing": "谢谢"})


@pytest.fixture
def policy_copy(tmp_path: Path) -> Path:
    src = Settings().guardrails_dir
    dst = tmp_path / "guardrails"
    shutil.copytree(src, dst)
    return dst


def test_bad_regex_names_the_rule(policy_copy):
    path = policy_copy / "policy.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("'免单'", "'免单('", 1), encoding="utf-8")
    with pytest.raises(InvalidInput) as info:
        load_policy(policy_copy)
    assert "overpromising.compensation" in info.value.en


def test_unknown_macro_is_reported(policy_copy):
    path = policy_copy / "policy.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("'免单'", "'{NO_SUCH_WORDS}'", 1), encoding="utf-8")
    with pytest.raises(InvalidInput) as info:
        load_policy(policy_copy)
    assert "NO_SUCH_WORDS" in info.value.en


def test_missing_field_and_missing_file(policy_copy, tmp_path):
    path = policy_copy / "policy.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    fix_hint:", "    fixhint:", 1), encoding="utf-8")
    with pytest.raises(InvalidInput) as info:
        load_policy(policy_copy)
    assert "arguing.contradict_owner" in info.value.en
    with pytest.raises(InvalidInput):
        load_policy(tmp_path / "nowhere")


def test_changed_policy_is_recompiled(policy_copy):
    settings = Settings(guardrails_dir=policy_copy)
    first = GuardChecker.from_settings(settings).policy
    assert GuardChecker.from_settings(settings).policy is first  # cached
    path = policy_copy / "policy.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    import os

    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 5))
    assert GuardChecker.from_settings(settings).policy is not first


def test_internal_failure_is_a_typed_error(monkeypatch):
    from agent.errors import WuyeError

    checker = GuardChecker.from_settings(Settings())
    checker.check("您好", "listen")

    def boom(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(checker.engine, "run", boom)
    with pytest.raises(WuyeError) as info:
        checker.check("您好,请问有什么可以帮您?", "listen")
    assert info.value.code == "guard_error" and "engine exploded" in info.value.en
