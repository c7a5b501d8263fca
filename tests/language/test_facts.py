"""Facts with provenance (agent/understand/facts.py) and the letter drafter built on them.

Complaints here are our own, written for patterns seen in long real posts: several issues in one
letter, matters the property company cannot decide (developer, school, planning), demands for an
apology or an explanation, pregnancy months that are not durations, anonymised district names.
"""

from __future__ import annotations

import re

import pytest

from agent.drafting.offline.drafter import draft
from agent.drafting.request import DraftRequest
from agent.guard.grounding import ungrounded
from agent.understand.classify import classify_offline
from agent.understand.facts import extract_facts, situation_of
from agent.vocab import Stage

TECHNIQUES = {
    "listen": [{"id": "repair.receive", "title": "报修"}, {"id": "listen.no_evasion", "title": "听"}],
    "empathize": [{"id": "fee.dispute", "title": "费"}, {"id": "mindset.respect", "title": "尊重"},
                  {"id": "empathize.overview", "title": "同"}],
    "ask": [{"id": "ask.overview", "title": "问"}],
    "act": [{"id": "group.emergency_response", "title": "群体"}, {"id": "repair.dispatch", "title": "派单"},
            {"id": "act.beyond_authority", "title": "超权限"}, {"id": "act.case_by_case", "title": "对症"},
            {"id": "act.own_mistake", "title": "失误"}],
    "negotiate": [{"id": "group.coordinate", "title": "群体"}, {"id": "negotiate.overview", "title": "议"}],
    "thank": [{"id": "repair.feedback", "title": "反馈"}, {"id": "thank.overview", "title": "谢"}],
}

LETTER_MULTI = ("关于锦华家园小区的几个问题。尊敬的领导：我是小区12栋的业主，我家卫生间楼板漏水已经一年多了，"
                "找过物业很多次，师傅来看过两回都没修好。另外开发商承诺的房产证到现在也没办下来，交房时说半年内办好。"
                "还有物业费去年突然涨价，也没有公示依据。希望尽快解决，给我们一个说法。")
LETTER_SCHOOL = ("孩子上学的问题请领导关注。我们小区建成五年了，配套承诺的学位一直没有落实，孩子只能每天坐很久的车"
                 "去外区读书，家里老人接送很辛苦。我们向开发商和街道反映过多次，都说不归他们管。请问这个学位到底谁来解决？")
LETTER_APOLOGY = ("投诉物业管家态度恶劣。上周我去服务中心反映楼道灯坏了的事情，管家不但不登记，还当着其他业主的面"
                  "说我事多，态度非常恶劣。我在小区住了八年，从来没被这样对待过。我要求物业公司公开向我道歉，"
                  "并且把楼道灯尽快修好。")
PREGNANT = ("楼下新开的烧烤店每天营业到凌晨两点，油烟和吵闹声一直飘进我家，我老婆怀孕七个月了，"
            "晚上根本睡不好。找过物业两次，都说管不了。希望物业出面和商户沟通，控制营业时间。")


def _draft(complaint: str) -> dict[str, dict]:
    request = DraftRequest(complaint=complaint, classification=classify_offline(complaint), techniques=TECHNIQUES)
    answer = draft(request)
    return {s["stage"]: s for s in answer["stages"]} | {"_facts": answer["facts_used"]}


def test_every_fact_has_the_span_it_comes_from() -> None:
    facts = extract_facts(LETTER_MULTI)
    kinds = {f.kind for f in facts}
    assert {"issue", "done", "duration", "demand", "where"} <= kinds, kinds
    for fact in facts:
        assert 0 <= fact.start < fact.end <= len(LETTER_MULTI)
        if fact.kind in ("duration", "where"):
            assert LETTER_MULTI[fact.start:fact.end] == fact.value


def test_a_pregnancy_month_is_not_how_long_the_problem_lasted() -> None:
    assert all(f.kind != "duration" for f in extract_facts(PREGNANT))


def test_a_letter_coded_district_is_not_a_building() -> None:
    assert all(f.kind != "where" for f in extract_facts("Q7区枫林苑门口的垃圾堆了好多天，一直没人清运，臭味很大。"))


def test_issues_primary_first_with_scope() -> None:
    sit = situation_of(LETTER_MULTI, classify_offline(LETTER_MULTI))
    keys = [i.key for i in sit.issues]
    assert keys[0] in ("leak", "developer") and {"leak", "developer", "fees"} <= set(keys), keys
    assert {"information"} <= sit.demands
    school = situation_of(LETTER_SCHOOL, classify_offline(LETTER_SCHOOL))
    assert school.primary.key == "school" and school.primary.scope == "outside"


def test_a_multi_issue_letter_answers_every_issue_and_stays_grounded() -> None:
    out = _draft(LETTER_MULTI)
    listen, act = out["listen"]["text"], out["act"]["text"]
    assert "漏水" in listen and ("开发商" in listen or "收费" in listen), listen
    assert "漏水" in act and ("开发商" in act or "收费" in act), act
    for stage in Stage:
        assert not ungrounded(out[stage.value]["text"], LETTER_MULTI), (stage, out[stage.value]["text"])
    assert out["_facts"] and all({"kind", "value", "span"} <= set(f) for f in out["_facts"])


def test_out_of_scope_is_answered_honestly_without_passing_the_buck() -> None:
    act = _draft(LETTER_SCHOOL)["act"]["text"]
    assert "教育部门" in act and re.search(r"决定|拍板|权限", act), act
    assert re.search(r"我们(会|能)", act), act  # what we will do about it
    assert not re.search(r"您(可以|去|自己)(找|联系|向)", act), act


def test_a_demanded_apology_is_given() -> None:
    out = _draft(LETTER_APOLOGY)
    assert re.search(r"道歉|对不起", out["empathize"]["text"]), out["empathize"]["text"]
    assert "mindset.respect" in out["empathize"]["techniques"] or "act.own_mistake" in out["act"]["techniques"]


def test_no_group_incident_technique_for_a_complaint_that_is_not_one() -> None:
    for complaint in (LETTER_MULTI, LETTER_SCHOOL, LETTER_APOLOGY, PREGNANT):
        out = _draft(complaint)
        cited = {t for s in Stage for t in out[s.value]["techniques"]}
        assert not any(t.startswith("group.") for t in cited), (complaint[:10], cited)


def test_a_leak_letter_cites_the_repair_procedure() -> None:
    out = _draft(LETTER_MULTI)
    assert "repair.dispatch" in out["act"]["techniques"], out["act"]["techniques"]


@pytest.mark.parametrize("complaint", [LETTER_MULTI, LETTER_SCHOOL, LETTER_APOLOGY, PREGNANT])
def test_the_ask_stage_asks_at_most_two_things_and_nothing_already_said(complaint: str) -> None:
    ask = _draft(complaint)["ask"]["text"]
    assert ask.count("？") <= 2, ask
    if re.search(r"\d+栋", complaint):
        assert not re.search(r"哪一栋|哪个位置|哪一处", ask), ask


def test_a_reask_changes_the_letter_wording() -> None:
    first = _draft(LETTER_MULTI)
    for stage in Stage:
        request = DraftRequest(complaint=LETTER_MULTI, classification=classify_offline(LETTER_MULTI),
                               techniques=TECHNIQUES, only_stages=[stage],
                               rejected={stage: first[stage.value]["text"]}, fix_hints={stage: ["换个说法"]})
        again = draft(request)["stages"][0]["text"]
        assert again != first[stage.value]["text"], stage
