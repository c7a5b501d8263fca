"""Schema, vocabulary and hygiene checks of every playbook entry in corpus/*.yaml."""

from __future__ import annotations

import re
from collections import Counter

import opencc
import pytest

from agent.vocab import Stage, Topic, ViolationCategory

from ._load import CORPUS_DIR, ENTRY_KEYS, SEED_FILES, corpus_files, entries_by_id, raw_entries

ID_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
ENTRIES = raw_entries()
IDS = [entry["id"] for _, entry in ENTRIES]
_T2S = opencc.OpenCC("t2s")


def test_corpus_is_not_trivially_small():
    assert len(corpus_files()) >= 8
    assert 90 <= len(ENTRIES) <= 120


def test_entry_ids_are_unique():
    dupes = [i for i, n in Counter(IDS).items() if n > 1]
    assert not dupes, f"duplicate entry ids: {dupes}"


def test_must_avoid_ids_are_unique_across_the_corpus():
    ids = [m["id"] for _, e in ENTRIES for m in e["must_avoid"]]
    dupes = [i for i, n in Counter(ids).items() if n > 1]
    assert not dupes, f"duplicate must_avoid ids: {dupes}"
    assert not set(ids) & set(IDS), "a must_avoid id collides with an entry id"


@pytest.mark.parametrize(("file_name", "entry"), ENTRIES, ids=IDS)
def test_entry_schema(file_name, entry):
    assert set(entry) == ENTRY_KEYS, f"{file_name}: keys {sorted(entry)}"
    assert ID_RE.match(entry["id"])
    assert entry["stage"] is None or entry["stage"] in {s.value for s in Stage}
    assert entry["topic"] in {t.value for t in Topic}
    assert isinstance(entry["title"], str) and entry["title"].strip()
    guidance = entry["guidance"]
    assert isinstance(guidance, str) and len(guidance) >= 30
    sentences = [s for s in re.split(r"[。！？]", guidance) if s.strip()]
    assert 2 <= len(sentences) <= 6, f"guidance should be 2–5 sentences, got {len(sentences)}"
    assert 2 <= len(entry["phrasings"]) <= 4
    assert all(isinstance(p, str) and len(p.strip()) >= 6 for p in entry["phrasings"])
    assert len(set(entry["phrasings"])) == len(entry["phrasings"])
    assert 4 <= len(entry["keywords"]) <= 10
    assert all(isinstance(k, str) and k.strip() for k in entry["keywords"])
    for item in entry["must_avoid"]:
        assert set(item) == {"id", "text", "category"}
        assert ID_RE.match(item["id"])
        assert isinstance(item["text"], str) and item["text"].strip()
        assert item["category"] is None or item["category"] in {c.value for c in ViolationCategory}
    source = entry["source"]
    assert set(source) == {"file", "section"}
    assert source["file"] in SEED_FILES
    assert isinstance(source["section"], str) and source["section"].strip()


@pytest.mark.parametrize(("file_name", "entry"), ENTRIES, ids=IDS)
def test_text_is_simplified_chinese(file_name, entry):
    # The source *pointer* may quote a Traditional heading; everything an agent reads is Simplified.
    for text in [entry["title"], entry["guidance"], *entry["phrasings"], *entry["keywords"]]:
        assert _T2S.convert(text) == text, f"Traditional characters in {entry['id']}: {text}"


# Phrasings are what the drafter copies: they must never break the must-avoid rules themselves.
FORBIDDEN_IN_PHRASINGS = [
    "保证", "包您满意", "全额赔偿", "全部赔", "肯定没问题",          # overpromising
    "尽快处理", "尽快", "等通知", "再看看", "到时候再说",            # vague
    "不归我们管", "不归我管", "找别人", "你去找", "不关我们的事",      # buck passing / refusing
    "没办法帮", "我也没办法", "规定就是这样",                       # refusing
    "你自己", "您自己的问题", "怪您自己", "谁让您",                     # blaming
    "收入", "结婚", "家里几口人", "工作单位",                       # privacy probing
    "XX", "xx", "××", "{", "}", "〔", "[",                          # placeholders / template debris
]


@pytest.mark.parametrize(("file_name", "entry"), ENTRIES, ids=IDS)
def test_phrasings_do_not_break_must_avoid_rules(file_name, entry):
    for phrasing in entry["phrasings"]:
        hits = [word for word in FORBIDDEN_IN_PHRASINGS if word in phrasing]
        assert not hits, f"{entry['id']}: phrasing {phrasing!r} contains {hits}"


def test_act_stage_commitments_name_a_time():
    """Every act-stage entry offers at least one phrasing with a concrete time or time limit."""
    time_words = re.compile(r"(今天|明天|本周|周[一二三四五六日]|[半一二两三四五六七八九十\d]+(分钟|小时|天)|[上下]午|点前|当天|下班前)")
    missing = [e["id"] for _, e in ENTRIES if e["stage"] == "act"
               and not any(time_words.search(p) for p in e["phrasings"])]
    # Pure explanation techniques may go without; commitments must not.
    assert set(missing) <= {"act.fair", "act.policy_based"}, missing


def test_every_topic_and_stage_is_covered():
    topics = Counter(e["topic"] for _, e in ENTRIES)
    for topic in Topic:
        assert topics[topic.value] >= 2, f"topic {topic} has {topics[topic.value]} entries"
    for topic in ("repair_ticket", "fee_collection", "group_incident"):
        assert topics[topic] >= 4
    stages = Counter(e["stage"] for _, e in ENTRIES)
    for stage in Stage:
        assert stages[stage.value] >= 8, f"stage {stage} has only {stages[stage.value]} entries"


@pytest.mark.parametrize("stage", [s.value for s in Stage])
def test_each_liuzijue_stage_has_overview_and_techniques(stage):
    by_id = entries_by_id()
    assert f"{stage}.overview" in by_id
    techniques = [i for i in by_id if i.startswith(f"{stage}.") and i != f"{stage}.overview"]
    expected = 5 if stage == "thank" else 6  # the seed lists only five thank-stage techniques
    assert len(techniques) == expected, (stage, techniques)
    for entry_id in [f"{stage}.overview", *techniques]:
        entry = by_id[entry_id]
        assert entry["stage"] == stage
        assert entry["source"]["file"] == "001_60b02ae7e330d0d2.txt"


def test_required_non_stage_entries_exist():
    by_id = entries_by_id()
    required = {
        "mindset.vent": "emotion", "mindset.respect": "emotion", "mindset.compensation": "emotion",
        "emotion.agitated_owner": "emotion", "escalation.next_level": "escalation",
        "procedure.revisit": "follow_up", "principle.give_owner_right": None,
        "principle.sincere_help": None, "principle.protect_company": None,
        "opportunity.complaint_value": None, "loop.closed_loop": None,
        "classification.by_nature": "classification", "classification.by_level": "classification",
        "classification.by_urgency": "classification",
    }
    for entry_id, topic in required.items():
        assert entry_id in by_id, entry_id
        if topic:
            assert by_id[entry_id]["topic"] == topic, entry_id
    checklist = [i for i in by_id if i.startswith("checklist.")]
    assert len(checklist) == 6
    for prefix, steps in {"repair.": 4, "fee.": 4, "group.": 4, "procedure.": 5,
                          "staff_emotion.": 3, "explain.": 3, "nvc.": 3}.items():
        assert len([i for i in by_id if i.startswith(prefix)]) >= steps, prefix


def test_corpus_validates_through_the_project_loader():
    loader = pytest.importorskip("agent.retrieval.loader")
    entries = loader.load_corpus(CORPUS_DIR)
    assert sorted(e.id for e in entries) == sorted(IDS)
