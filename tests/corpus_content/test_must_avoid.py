"""The 36 must-avoid behaviours of the 六字诀 and the five-step model are all in the corpus.

The tables below are our own short paraphrase of the seed lists (001: 必须避免的做法, 000: 五步模式),
written independently of the YAML so that a deleted, renumbered or mis-worded item fails here.
"""

from __future__ import annotations

import pytest

from agent.vocab import COMPLAINT_CHECKS, ViolationCategory

from ._load import entries_by_id, must_avoid_by_id, raw_entries

# (id, key concept words that must all appear in the item's text, expected violation category)
STAGE_MUST_AVOID = [
    ("listen.avoid.1", ["面色"], None),                       # sulky, sour face
    ("listen.avoid.2", ["不耐烦", "心不在焉"], "disrespect"),  # impatient, absent-minded
    ("listen.avoid.3", ["争执"], "arguing"),                  # quarrel with the owner
    ("listen.avoid.4", ["阴阳怪气"], "disrespect"),           # nitpick the owner's attitude, sarcastic
    ("listen.avoid.5", ["回绝", "电话"], None),               # refuse outright / take other calls midway
    ("listen.avoid.6", ["辩解"], "arguing"),                  # defend oneself
    ("empathize.avoid.1", ["批驳"], "arguing"),               # rebut the complaint
    ("empathize.avoid.2", ["记录"], None),                    # no notes, let it drift
    ("empathize.avoid.3", ["帮不了"], "refusing"),            # say we cannot help
    ("empathize.avoid.4", ["不尊重"], "disrespect"),          # disrespectful words or acts
    ("empathize.avoid.5", ["狡辩"], "arguing"),               # argue sophistically, escalate
    ("empathize.avoid.6", ["讥讽", "挖苦"], None),            # impatient / mocking expression
    ("ask.avoid.1", ["主题"], "vague"),                       # rambling questions without a point
    ("ask.avoid.2", ["重复"], "disrespect"),                  # ask the same thing again and again
    ("ask.avoid.3", ["莫名其妙"], "disrespect"),              # odd, showy questions
    ("ask.avoid.4", ["不让业主提问"], "disrespect"),          # only we may ask
    ("ask.avoid.5", ["转手", "别人"], "buck_passing"),        # hand over to someone else midway
    ("ask.avoid.6", ["隐私"], "privacy_probing"),             # questions touching privacy
    ("act.avoid.1", ["光说不做"], "vague"),                   # all talk, no action
    ("act.avoid.2", ["规定"], "refusing"),                    # rigidly by the rule book
    ("act.avoid.3", ["不合理", "承诺"], "overpromising"),     # give in, unreasonable promises
    ("act.avoid.4", ["推给"], "buck_passing"),                # push it onto others
    ("act.avoid.5", ["权限", "汇报"], "refusing"),            # no authority and no escalation
    ("act.avoid.6", ["犹豫", "马马虎虎"], "vague"),           # hesitant, sloppy
    ("negotiate.avoid.1", ["让步"], "overpromising"),         # concede everything
    ("negotiate.avoid.2", ["业主总是对的"], "overpromising"), # "the owner is always right"
    ("negotiate.avoid.3", ["需求"], None),                    # negotiate before knowing the real need
    ("negotiate.avoid.4", ["立场"], "overpromising"),         # lose one's own position
    ("negotiate.avoid.5", ["固执己见"], "refusing"),          # stubborn
    ("negotiate.avoid.6", ["追踪到底"], "vague"),             # no follow-through
    ("thank.avoid.1", ["敷衍"], "empty_thanks"),              # perfunctory thanks
    ("thank.avoid.2", ["喋喋不休"], "empty_thanks"),          # endless thanks
    ("thank.avoid.3", ["不情不愿"], "grudging_apology"),      # reluctant apology
    ("thank.avoid.4", ["抱怨"], "grudging_apology"),          # apologise while complaining
    ("thank.avoid.5", ["不在乎", "厌烦"], "disrespect"),      # indifference, dislike
    ("thank.avoid.6", ["解决实际问题"], "empty_thanks"),      # thanks without fixing anything
]


def test_table_is_complete():
    assert len(STAGE_MUST_AVOID) == 36
    assert len({row[0] for row in STAGE_MUST_AVOID}) == 36


@pytest.mark.parametrize(("avoid_id", "concepts", "category"), STAGE_MUST_AVOID,
                         ids=[row[0] for row in STAGE_MUST_AVOID])
def test_stage_must_avoid_present(avoid_id, concepts, category):
    items = must_avoid_by_id()
    assert avoid_id in items, f"{avoid_id} missing from the corpus"
    owner, item = items[avoid_id]
    stage = avoid_id.split(".")[0]
    assert owner == f"{stage}.overview", f"{avoid_id} should sit on {stage}.overview, found on {owner}"
    for concept in concepts:
        assert concept in item["text"], f"{avoid_id}: {item['text']!r} lacks {concept!r}"
    assert item["category"] == category


@pytest.mark.parametrize("stage", ["listen", "empathize", "ask", "act", "negotiate", "thank"])
def test_overview_lists_exactly_six_in_seed_order(stage):
    overview = entries_by_id()[f"{stage}.overview"]
    assert [m["id"] for m in overview["must_avoid"]] == [f"{stage}.avoid.{n}" for n in range(1, 7)]


def test_categories_use_the_fixed_vocabulary():
    allowed = {c.value for c in ViolationCategory}
    for _, entry in raw_entries():
        for item in entry["must_avoid"]:
            assert item["category"] is None or item["category"] in allowed, item


def test_non_textual_items_are_a_minority_and_include_the_obvious_ones():
    stage_items = {avoid_id: must_avoid_by_id()[avoid_id][1] for avoid_id, _, _ in STAGE_MUST_AVOID}
    null_ids = {i for i, item in stage_items.items() if item["category"] is None}
    assert len(null_ids) < len(stage_items) / 4, null_ids
    # A sour face and doing other things mid-call cannot show in a written reply.
    assert "listen.avoid.1" in null_ids and "面色" in stage_items["listen.avoid.1"]["text"]
    assert "listen.avoid.5" in null_ids and "电话" in stage_items["listen.avoid.5"]["text"]
    # ...while the written-reply violations are covered by the six stages' own lists. No seed stage
    # item is purely "blaming" and none is about leaking PII: those two live on technique entries.
    covered = {item["category"] for item in stage_items.values()}
    reply_categories = {c.value for c in ViolationCategory} - {c.value for c in COMPLAINT_CHECKS}  # not the complaint checks
    assert covered - {None} == reply_categories - {"blaming", "pii_leak"}
    all_categories = {m["category"] for _, e in raw_entries() for m in e["must_avoid"]} - {None}
    assert all_categories == reply_categories


FIVE_STEPS = [  # (id, concept in the title, closest 六字诀 stage)
    ("five_step.listen", "倾听", "listen"),
    ("five_step.share", "分担", "empathize"),
    ("five_step.clarify", "澄清", "ask"),
    ("five_step.state", "陈述", "act"),
    ("five_step.request", "要求", "thank"),
]


@pytest.mark.parametrize(("entry_id", "concept", "stage"), FIVE_STEPS, ids=[r[0] for r in FIVE_STEPS])
def test_five_step_model_present(entry_id, concept, stage):
    entry = entries_by_id().get(entry_id)
    assert entry is not None, f"{entry_id} missing"
    assert concept in entry["title"]
    assert entry["stage"] == stage
    assert entry["source"]["file"] == "000_d6b24bfcab8f8fa6.txt"


def test_three_mindsets_present():
    by_id = entries_by_id()
    for entry_id, concept in [("mindset.vent", "发泄"), ("mindset.respect", "尊重"), ("mindset.compensation", "补偿")]:
        assert concept in by_id[entry_id]["title"]
        assert by_id[entry_id]["topic"] == "emotion"
