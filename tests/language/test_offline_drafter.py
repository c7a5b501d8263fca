"""The offline drafter: structured input (a DraftRequest), the model's answer format, and its
drafts on the whole eval set."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from agent.drafting.answer import parse_answer
from agent.drafting.model import ModelAccess
from agent.drafting.offline.drafter import MODEL, draft
from agent.drafting.offline.letter import MAX_LETTER_CHARS
from agent.drafting.prompts import load_pack, render_messages, repair_message
from agent.drafting.request import DraftRequest
from agent.settings import Settings
from agent.understand.classify import classify_offline
from agent.understand.pii import mask_pii
from agent.understand.script import detect_script, detect_variant, to_script, to_simplified
from agent.vocab import Stage

DATASET = Path(__file__).resolve().parents[2] / "evals" / "drafting" / "complaints.jsonl"
STAGES = [s.value for s in Stage]
TECHNIQUES = {
    "listen": [{"id": "listen.t1", "title": "听", "guidance": "…", "phrasings": ["您慢慢说，我都在认真听、认真记。"]}],
    "empathize": [{"id": "empathize.t1", "title": "同", "guidance": "…", "phrasings": ["您的心情我特别理解，遇到这种事谁都会着急。"]}],
    "ask": [{"id": "ask.t1", "title": "问", "guidance": "…", "phrasings": ["我这样理解您看对不对？"]}],
    "act": [{"id": "act.t1", "title": "办", "guidance": "…",
             "phrasings": ["这件事由我负责跟进，今天下午五点前我把处理进展告诉您。", "我已经把工单派给工程部的维修师傅，他会在两小时内上门查看。"]}],
    "negotiate": [{"id": "negotiate.t1", "title": "议", "guidance": "…", "phrasings": ["我们一起商量一个您能接受、我们也能落实的办法，您看好吗？"]}],
    "thank": [{"id": "thank.t1", "title": "谢", "guidance": "…", "phrasings": ["谢谢您第一时间告诉我们。", "说好的补偿今天就给您办。"]}],
}


def _request(complaint: str, *, stages: dict | None = None, classification: dict | None = None,
             **extra: object) -> DraftRequest:
    """A DraftRequest as the workflow builds it (rules classification unless one is given)."""
    return DraftRequest(complaint=complaint, techniques=stages or TECHNIQUES,
                        classification=classification or classify_offline(complaint), **extra)


def _offline(request: DraftRequest):  # noqa: ANN202
    """One call through model access, the way the workflow makes it (no model configured)."""
    import asyncio

    pack = load_pack(Settings().prompts_dir)
    expected = [s.value for s in request.stages]
    return asyncio.run(ModelAccess(Settings()).complete(
        render_messages(pack, request), lambda text: parse_answer(text, expected),
        lambda error: repair_message(pack, request, error), request=request))


def test_offline_call_through_model_access() -> None:
    complaint = "3号楼电梯又坏了，等了半个小时都没人来修"
    result = _offline(_request(complaint))
    assert (result.model, result.drafter, result.calls) == (MODEL, "offline", 1)
    answer = result.value
    assert [s.stage.value for s in answer.stages] == STAGES
    assert answer.classification.category == "facilities"
    for stage in answer.stages:
        assert stage.text and set(stage.techniques) <= {t["id"] for t in TECHNIQUES[stage.stage.value]}
        assert stage.techniques
    act = answer.stages[3].text
    assert "3号楼电梯" in act and re.search(r"小时|今天|明天|点前", act)
    assert "补偿" not in answer.stages[5].text  # a phrasing that promises compensation is never used


def test_offline_path_imports_no_litellm() -> None:
    code = ("import sys\nfrom agent.drafting.offline.drafter import draft\n"
            "from agent.drafting.model import ModelAccess\nfrom agent.drafting.request import DraftRequest\n"
            "from agent.understand.models import Classification\n"
            "draft(DraftRequest(complaint='电梯坏了', classification=Classification()))\n"
            "print('litellm' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_reask_returns_only_the_failing_stages_with_new_wording() -> None:
    complaint = "你们客服态度太差了，挂我电话，必须给我道歉"
    texts = {s["stage"]: s["text"] for s in draft(_request(complaint))["stages"]}
    request = _request(complaint, only_stages=["act", "thank"],
                       fix_hints={"act": ["写清楚谁来办、什么时候办完"], "thank": ["感谢之外要落到实处"]},
                       rejected={"act": texts["act"], "thank": texts["thank"]})
    answer = _offline(request).value
    assert [s.stage.value for s in answer.stages] == ["act", "thank"]
    for stage in answer.stages:
        assert stage.text != texts[stage.stage.value]


def test_the_prompt_carries_what_the_offline_drafter_is_given() -> None:
    complaint = "你们客服态度太差了，挂我电话，必须给我道歉"
    request = _request(complaint, only_stages=["act"], fix_hints={"act": ["写清楚谁来办"]}, rejected={"act": "原来的稿子"})
    user = render_messages(load_pack(Settings().prompts_dir), request)[1]["content"]
    context = json.loads(user.split("<context_json>")[1].split("</context_json>")[0])
    assert context == request.context() and context["only_stages"] == ["act"]
    assert "act(办)原稿:原来的稿子" in user and "写清楚谁来办" in user
    assert f"<complaint>\n{complaint}\n</complaint>" in user


def test_deterministic_and_classification_passthrough() -> None:
    complaint = "隔壁装修天天电钻，周末早上七点就开始"
    assert draft(_request(complaint)) == draft(_request(complaint))
    given = {"category": "neighbor", "severity": "important", "urgency": "normal", "mindset": "vent",
             "escalate": False, "reason": ""}
    passed = draft(_request(complaint, classification=given))["classification"]
    assert {k: passed[k] for k in given} == given


def test_a_bad_request_fails_clearly() -> None:
    with pytest.raises(ValidationError, match="only_stages"):
        _request("电梯坏了", only_stages=["shout"])
    with pytest.raises(ValidationError, match="classification"):
        DraftRequest(complaint="电梯坏了")


# -- the whole eval set, through retrieval and the guard -------------------------------------------

@pytest.fixture(scope="module")
def pipeline():  # noqa: ANN201
    from agent.guard import GuardChecker
    from agent.retrieval.embedding import get_embedding
    from agent.retrieval.loader import load_corpus
    from agent.retrieval.search import Retriever

    settings = Settings()
    retriever = Retriever.from_entries(settings, load_corpus(settings.corpus_dir), get_embedding(settings))
    return retriever, GuardChecker.from_settings(settings)


def _techniques(retriever, query: str) -> dict:  # noqa: ANN001
    hits = retriever.search_stages(query[:500], k=3)
    return {stage.value: [{"id": h.id, "title": h.title, "guidance": h.entry.guidance,
                           "phrasings": list(h.entry.phrasings)} for h in stage_hits]
            for stage, stage_hits in hits.items()}


@pytest.mark.slow
@pytest.mark.skipif(not DATASET.is_file(), reason="evals/drafting/complaints.jsonl not present")
def test_every_complaint_gets_six_clean_guarded_stages(pipeline) -> None:  # noqa: ANN001
    retriever, guard = pipeline
    cases = [json.loads(line) for line in DATASET.read_text(encoding="utf-8").splitlines() if line.strip()]
    first_pass = 0
    for case in cases:
        masked = to_simplified(mask_pii(case["text"]).text)
        techniques = _techniques(retriever, masked)
        answer = draft(_request(masked, stages=techniques))
        assert [s["stage"] for s in answer["stages"]] == STAGES, case["id"]
        texts = {}
        for stage in answer["stages"]:
            text = stage["text"]
            assert 20 <= len(text) <= MAX_LETTER_CHARS, (case["id"], stage)
            assert stage["techniques"] and set(stage["techniques"]) <= {t["id"] for t in techniques[stage["stage"]]}
            assert "〔" not in text and "〕" not in text, (case["id"], text)
            shown = to_script(text, detect_script(case["text"]), detect_variant(case["text"]))
            for value in case.get("pii", []):
                assert value not in text and value not in shown, (case["id"], value)
            texts[stage["stage"]] = text
        assert_reads_well(masked, texts)
        results = guard.check_set(texts)
        failing = [stage for stage, result in results.items() if not result.passed]
        first_pass += not failing
        if failing:  # what the workflow does: one re-ask for the failing stages, with the hints
            request = _request(masked, stages=techniques, only_stages=failing, rejected={s: texts[s] for s in failing},
                               fix_hints={s: guard.fix_hints(results[s].violations) for s in failing})
            again = {s["stage"]: s["text"] for s in draft(request)["stages"]}
            still = {s: [v.rule_id for v in r.violations] for s, r in guard.check_set(again).items() if not r.passed}
            assert not still, (case["id"], still, again)
    assert first_pass / len(cases) >= 0.85, f"only {first_pass}/{len(cases)} draft sets passed the guard first time"


# -- quality: what a demanding 客服主管 would reject ------------------------------------------------
# playbook phrasings that are right on the phone or for another situation, but wrong in a written
# reply to these complaints; the drafter must leave them out
TRAPS = {
    "listen": [{"id": "listen.trap", "title": "听", "guidance": "…", "phrasings": [
        "我听明白了，您不是计较这点事，是觉得一直没人把您的话当回事，对吗？", "嗯，我明白，您接着说。",
        "您的投诉我们已经受理了，我是这件事的负责人，后面由我跟进。"]}],
    "empathize": [{"id": "empathize.trap", "title": "同", "guidance": "…", "phrasings": [
        "您这么做，肯定是被这件事折腾得太久了，我们先把问题本身解决好。", "您的心情我特别理解，遇到这种事谁都会着急。"]}],
    "ask": [{"id": "ask.trap", "title": "问", "guidance": "…", "phrasings": [
        "刚才这一段我没听太明白，麻烦您再说一下，可以吗？",
        "为了把责任弄清楚，明天上午我们安排人员到现场查看并拍照留底，您看方便吗？"]}],
    "act": [{"id": "act.trap", "title": "办", "guidance": "…", "phrasings": [
        "您看回复您用电话还是微信方便？约好的时间我按时联系您，哪怕还在处理中也会先告诉您进展。",
        "这件事由我负责跟进，今天下午五点前我把处理进展告诉您。"]}],
    "negotiate": [
        {"id": "fee.overdue", "title": "欠费", "guidance": "…", "phrasings": [
            "看到您家的物业费有一段时间没缴了，想问问是不是有什么情况，或者对我们的服务有什么意见？",
            "如果一次缴清有困难，我们可以帮您向公司申请分期的方案，您看可以吗？"]},
        {"id": "negotiate.t1", "title": "议", "guidance": "…", "phrasings": ["我们的目标和您是一样的，都是让这个问题彻底解决，不再给您添堵。"]}],
    "thank": [
        {"id": "thank.sincere_apology", "title": "谢", "guidance": "…", "phrasings": [
            "不管最后查出来是什么原因，让您这几天这么闹心，我们都很抱歉。"]},
        {"id": "thank.for_criticism", "title": "谢", "guidance": "…", "phrasings": [
            "谢谢您直言不讳，您指出的问题我们平时确实没注意到，这周就列进整改清单。"]}],
}
QUALITY_CASES = [
    "你们物业费年年涨，电梯三天两头坏，凭什么还要交这么多钱？必须给我减免！",
    "你们管理员讲话很没礼貌，我只是问包裹在哪里，他一直翻白眼，还叫我自己去找。",
    "楼上每天半夜十二点以后还在拖椅子跺脚，我已经一个多月没睡过好觉了，你们去说一下啊",
    "3号楼电梯又坏了，等了半个小时都没人来修",
    "垃圾站的味道太大了，夏天一开窗就是一股臭味，你们多久才清一次啊",
    "昨晚凌晨两点有人一直按我家门铃，保安说没看到任何人进来，我一个人住真的很害怕。",
    "我明明上个月就在APP上交了物业费，你们还一直打电话催缴，一天打三次，请不要再打了",
    "小区门口那个菜市场天天早上五点就开始卸货吆喝，能不能跟街道反应一下",
]
_SPOKEN_OR_PRESUMING = re.compile(r"慢慢说|接着说|没听太|再说一|不是计较|没人把您的话当回事|责任弄清楚|不管最后查出来|"
                                  r"这么做，肯定|用电话还是微信")
_ARREARS = re.compile(r"没缴|缴清|分期|欠费(?!名单)")  # "欠费名单" is the owner's own subject
_DEADLINE = re.compile(r"(小时|分钟)[内后]|半天[之]?内|一天之内|点以后|今天|明天|上午|下午|点前|下班前|工作日内|本周内|周五之前")  # a promised time, not "已经半个小时了"
_CALLBACK = re.compile(r"回电话|告诉您|答复|回复您|联系您")
_SENTENCE = re.compile(r"[^。？！]+[。？！]")


def _draft(complaint: str, techniques: dict | None = None) -> dict[str, str]:
    answer = draft(_request(complaint, stages=techniques or TRAPS))
    return {s["stage"]: s["text"] for s in answer["stages"]}


def _cited(complaint: str, techniques: dict | None = None) -> dict[str, list[str]]:
    answer = draft(_request(complaint, stages=techniques or TRAPS))
    return {s["stage"]: s["techniques"] for s in answer["stages"]}


def assert_reads_well(complaint: str, texts: dict[str, str]) -> None:
    """The house rules every draft set must meet (also applied to the whole eval set below)."""
    plain = to_simplified(complaint)
    limit = MAX_LETTER_CHARS if len(plain) >= 100 else 110  # a chat message gets a chat-length reply
    seen: dict[str, str] = {}
    for stage, text in texts.items():
        text = to_simplified(text)
        assert len(text) <= limit, (stage, len(text), text)
        assert not _SPOKEN_OR_PRESUMING.search(text), (stage, text)
        if _ARREARS.search(text):  # collection lines only for an owner who says they owe
            assert re.search(r"欠|没交|没缴|交不起|分期", plain) and not re.search(r"已经交|交了|缴了|汇款", plain), text
        for sentence in _SENTENCE.findall(text):
            if len(sentence) > 6:
                assert seen.setdefault(sentence, stage) == stage, f"said twice ({seen[sentence]}, {stage}): {sentence}"
    assert texts["ask"].count("？") + texts["ask"].count("?") <= 2, texts["ask"]
    for stage in ("listen", "empathize", "negotiate"):  # the callback time is promised in act only
        assert not _DEADLINE.search(to_simplified(texts[stage])), (stage, texts[stage])
    act = to_simplified(texts["act"])
    assert _DEADLINE.search(act) or "十五分钟" in act, act
    assert re.search(r"师傅|工程部|主管|经理|管家|保安|秩序维护|财务|保洁|我", act), act
    assert sum(bool(_CALLBACK.search(s)) for s in _SENTENCE.findall(act)) <= 1, act
    thank = to_simplified(texts["thank"])
    assert "谢" in thank and "回访" in thank and re.search(r"抱歉|对不起|道歉", thank), thank


@pytest.mark.parametrize("complaint", QUALITY_CASES, ids=[f"case{i}" for i in range(len(QUALITY_CASES))])
def test_drafts_read_like_a_skilled_agent_wrote_them(complaint: str) -> None:
    texts = _draft(complaint)
    assert_reads_well(complaint, texts)
    cited = _cited(complaint)
    for stage in STAGES:  # every stage still cites a technique it was given
        assert cited[stage] and set(cited[stage]) <= {t["id"] for t in TRAPS[stage]}


def test_fee_dispute_gets_no_arrears_sentence_and_no_overdue_citation() -> None:
    complaint = QUALITY_CASES[0]
    texts, cited = _draft(complaint), _cited(complaint)
    assert not any(_ARREARS.search(t) for t in texts.values()), texts
    assert "fee.overdue" not in cited["negotiate"]
    assert "减免" in texts["negotiate"] and "审批" in texts["negotiate"]  # relief: honest, no promise


def test_arrears_lines_are_kept_for_an_owner_who_owes() -> None:
    from agent.drafting.offline.fit import fits
    from agent.understand.facts import gather_facts

    overdue = TRAPS["negotiate"][0]["phrasings"][1]
    owes = "我家物业费欠了半年了，最近手头紧，能不能分期交？"
    assert fits(overdue, gather_facts(owes, classify_offline(owes)))
    for complaint in (QUALITY_CASES[0], QUALITY_CASES[6]):  # a dispute; an owner who already paid
        assert not fits(overdue, gather_facts(complaint, classify_offline(complaint)))


def test_ask_does_not_ask_what_the_owner_already_said() -> None:
    texts = _draft(QUALITY_CASES[5])  # 昨晚凌晨两点…
    assert not re.search(r"几点|什么时间|哪天", texts["ask"]), texts["ask"]
    paid = _draft(QUALITY_CASES[6])["ask"]  # already paid: ask for the payment record, not the bill
    assert "缴费记录" in paid or "转账" in paid, paid


def test_thank_names_the_improvement_and_the_follow_up_for_a_staff_complaint() -> None:
    thank = _draft(QUALITY_CASES[1])["thank"]
    assert re.search(r"例会|服务规范", thank) and "回访" in thank, thank
    assert re.search(r"对不起|道歉", thank), thank


def test_act_states_the_callback_once() -> None:
    for complaint in QUALITY_CASES:
        act = _draft(complaint)["act"]
        assert "微信" not in act
        assert len(re.findall(r"回电话|把处理进展告诉您|给您答复", act)) <= 1, act


def test_traditional_owner_reads_naturally() -> None:
    complaint = "樓上每天半夜十二點以後還在拖椅子跺腳，我已經一個多月沒睡過好覺了，你們去說一下啊"
    texts = _draft(complaint)
    shown = {stage: to_script(text, "traditional", "tw") for stage, text in texts.items()}
    for text in shown.values():
        assert not re.search(r"許可權|為了把責任弄清楚|不是計較", text), text
    assert_reads_well(complaint, texts)


def test_reask_after_quality_fixes_still_changes_the_wording() -> None:
    complaint = QUALITY_CASES[3]
    texts = _draft(complaint)
    for stage in STAGES:
        request = _request(complaint, stages=TRAPS, only_stages=[stage], rejected={stage: texts[stage]},
                           fix_hints={stage: ["换个说法"]})
        again = draft(request)["stages"][0]["text"]
        assert again != texts[stage], stage


def test_callback_time_respects_when_the_owner_can_take_calls() -> None:
    complaint = "管理费明明已经汇款了，你们还一直打电话催缴，我上班真的很困扰。只有下班后方便联络。"
    texts = _draft(complaint)
    assert "晚上" in texts["act"] and not re.search(r"下班前|上午|下午", texts["act"]), texts["act"]
    assert "下班后" in texts["negotiate"], texts["negotiate"]


@pytest.mark.slow
@pytest.mark.skipif(not DATASET.is_file(), reason="evals/drafting/complaints.jsonl not present")
@pytest.mark.parametrize("hour", [0, 9, 15, 22])
def test_an_agent_may_approve_every_offline_draft_set_at_any_hour(pipeline, hour: int) -> None:  # noqa: ANN001
    """The drafter's reply times are within an agent's authority whenever the draft is approved
    (a clock time like "明天上午十点前" is more than 24 hours away when approved before 10:00)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from agent.loop import authority
    from agent.loop.commitments import extract

    retriever, _ = pipeline
    policy = authority.load(Path(Settings().guardrails_dir))
    approved_at = datetime(2026, 12, 8, hour, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    for line in DATASET.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        case = json.loads(line)
        masked = to_simplified(mask_pii(case["text"]).text)
        answer = draft(_request(masked, stages=_techniques(retriever, masked)))
        texts = {Stage(s["stage"]): s["text"] for s in answer["stages"]}
        beyond = [(c.quote, c.authority_reason) for c in extract(texts, approved_at, policy) if not c.within_authority]
        assert not beyond, (case["id"], hour, beyond)
