"""Engine internals: the required-character prefilter never changes a result; text preparation
keeps offsets; ID / card checksums."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from agent.guard.engine import Engine, id_checksum_ok, luhn_ok
from agent.guard.policy import load_policy, required_chars, required_sets
from agent.guard.text import prepare
from agent.settings import Settings
from agent.vocab import Stage

POLICY = load_policy(Settings().guardrails_dir)


@pytest.mark.parametrize(
    ("pattern", "text"),
    [("(?:您|你)说的不对", "你说的不对"), ("(?:这|那)?不可能", "不可能"), ("a?b+c", "bc"),
     ("(?:x|y{2,})z", "yyz"), ("[京沪]a\\d{5}", "京a12345")],
)
def test_required_chars_are_really_required(pattern, text):
    need = required_chars(pattern)
    assert re.search(pattern, text)
    assert need is None or not need.isdisjoint(set(text))


def test_every_policy_regex_compiles():
    POLICY.compile_all()


@pytest.mark.parametrize(
    ("pattern", "text"),
    [("(?:您|你)说的不对", "你说的不对"), ("保证(?:全额)?赔偿", "保证赔偿"), ("谁让(?:您|你)", "谁让你")],
)
def test_both_required_sets_occur_in_every_match(pattern, text):
    sets = required_sets(pattern)
    assert re.search(pattern, text) and len(sets) == 2
    assert all(not s.isdisjoint(set(text)) for s in sets)


def test_optional_parts_give_no_requirement():
    assert required_chars("(?:您)?") is None
    assert required_chars("\\d+") is None
    assert required_chars("不可能") is not None


def test_prefilter_gives_identical_results():
    fast, slow = Engine(POLICY), Engine(POLICY, prefilter=False)
    texts = [ex for r in POLICY.spec.rules for ex in (*r.examples.fail, *r.examples.pass_)]
    for text in texts:
        for stage in Stage:
            prep = prepare(text)
            assert fast.run(prep, stage) == slow.run(prep, stage), text
    rows = (Path(__file__).parent / "data" / "phrasings.jsonl").read_text(encoding="utf-8").splitlines()
    for row in map(json.loads, rows):
        prep = prepare(row["text"])
        assert fast.run(prep, Stage(row["stage"])) == slow.run(prep, Stage(row["stage"])), row["text"]


def test_prepare_keeps_offsets_for_traditional_and_full_width_text():
    text = "您講的\uff21\uff22\uff23\uff11\uff12\uff13\uff0c對不起行了吧\uff1f"
    prep = prepare(text)
    assert len(prep.norm) == len(text)
    assert prep.norm.startswith("您讲的abc123,")
    assert prep.norm.endswith("对不起行了吧?")


def test_checksums():
    assert id_checksum_ok("11010519491231002X")
    assert not id_checksum_ok("110105194912310021")
    assert luhn_ok("4111 1111 1111 1111")
    assert not luhn_ok("4111 1111 1111 1112")
