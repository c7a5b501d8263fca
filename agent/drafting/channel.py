"""Channel-aware replies: how the owner reached us shapes the reply's length and register.

One table (``FORMS``) says what each channel needs; the prompt shows a model the form of the
request's channel (``DraftRequest.context()["channel"]``) and the offline drafter applies it to its
stage texts (``fit``):

- wechat / app / sms: short chat messages (a stage at most two sentences), no letter forms;
- phone / visit: a script the agent speaks: short spoken sentences, the listen stage opens the call;
- letter: a formal written reply: salutation, complete sentences, a formal closing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.vocab import Channel, Stage


@dataclass(frozen=True)
class Form:
    register: str  # chat | spoken | formal
    max_sentences: int | None  # per stage, None = as drafted
    guidance: str  # what the prompt tells a model


FORMS: dict[Channel, Form] = {
    Channel.wechat: Form("chat", 2, "微信消息:每个环节一到两句短句,口语、亲切,像即时聊天,不用“尊敬的”“此致”等书信格式。"),
    Channel.app: Form("chat", 2, "物业 App 在线消息:每个环节一到两句短句,简洁亲切,不用书信格式。"),
    Channel.sms: Form("chat", 2, "短信:每个环节一两句,尽量简短,不用书信格式。"),
    Channel.phone: Form("spoken", 3, "电话话术:客服要念出来的口语脚本,句子短、好说好听;开头先问候并报上身份,不用书面语和书信格式。"),
    Channel.visit: Form("spoken", 3, "当面接待话术:客服当面说的口语,句子短,先问候,不用书信格式。"),
    Channel.letter: Form("formal", None, "书面回复函:正式、完整、礼貌的书面语;开头称呼“尊敬的业主”,结尾用“此致 敬礼”和落款“物业服务中心”。"),
}

_SENTENCE = re.compile(r"[^。！？!?；;]+[。！？!?；;]?")
_CHATTY_TO_FORMAL = [("咱们", "我们"), ("咱", "我们"), ("啦", ""), ("呀", ""), ("哦", ""), ("嘛", "")]
_FORMAL_TO_SPOKEN = [("我方", "我们这边"), ("特此", ""), ("敬请", "请您")]


def guidance(channel: Channel | str | None) -> dict[str, str] | None:
    """What a model is told about the channel (``None`` when the request has none)."""
    if not channel:
        return None
    form = FORMS[Channel(channel)]
    return {"name": Channel(channel).value, "register": form.register, "form": form.guidance}


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def shorten(text: str, keep: int) -> str:
    """At most ``keep`` sentences: the first ones and the LAST one (a stage ends with what it does:
    the question, the commitment, the 回访), and a question the stage asks is kept."""
    parts = sentences(text)
    if len(parts) <= keep:
        return text
    chosen = [*parts[:keep - 1], parts[-1]]
    question = next((p for p in parts if p.endswith(("？", "?"))), None)
    if question and question not in chosen:
        chosen[max(len(chosen) - 2, 0) if keep > 1 else 0] = question
    return "".join(chosen)


def formal(text: str) -> str:
    for chatty, proper in _CHATTY_TO_FORMAL:
        text = text.replace(chatty, proper)
    return text


def fit(stage: Stage, text: str, channel: Channel | str | None) -> str:
    """One offline stage text in the channel's form (unchanged without a channel)."""
    if not channel:
        return text
    form = FORMS[Channel(channel)]
    if form.max_sentences is not None:
        text = shorten(text, form.max_sentences)
    if form.register == "formal":
        text = formal(text)
        if stage is Stage.listen and not text.startswith("尊敬的"):
            text = "尊敬的业主：\n您好！" + text
        if stage is Stage.thank:
            text = text.rstrip() + "\n此致\n敬礼\n物业服务中心"
    elif form.register == "spoken":
        for written, spoken in _FORMAL_TO_SPOKEN:
            text = text.replace(written, spoken)
        if stage is Stage.listen and not text.startswith("您好"):
            text = "您好，这里是物业客服中心。" + text
    return text
