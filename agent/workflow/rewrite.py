"""One-click rewrites of one stage: warmer, more formal, shorter, more specific, 繁体, 简体.

``rewrite(...)`` gives the new text; the core guards it, audits it and returns it (it enters the
draft set only through the agent's ``edit`` decision). With a model configured the model rewrites
(``prompts/rewrite.*.j2``); otherwise, or when the model fails, the offline drafter's other phrasing
options for the stage are the candidates and the one that best fits the style is taken (then
shortened / made formal by the same rules the channel forms use). 繁/简 is a script conversion.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from agent.drafting.answer import OutputInvalid
from agent.drafting.channel import formal, sentences, shorten
from agent.drafting.request import DraftRequest
from agent.errors import ModelError
from agent.vocab import Script, Stage

if TYPE_CHECKING:
    from agent.workflow.models import DraftSet
    from agent.workflow.state import WorkflowContext

Style = Literal["warmer", "more_formal", "shorter", "more_specific", "traditional", "simplified"]
STYLE_ZH = {"warmer": "更温暖、更体贴", "more_formal": "更正式、更书面", "shorter": "更简短(保留关键信息)",
            "more_specific": "更具体(写清楚做什么、谁来做、什么时候)", "traditional": "繁体", "simplified": "简体"}
_WARM = re.compile(r"您|理解|辛苦|抱歉|放心|感谢|谢谢|不容易|难受|着急|心情|体谅|给您添")
_CHATTY = re.compile(r"咱|啦|呀|哦|嘛")
_SPECIFIC = re.compile(r"\d|今天|明天|上午|下午|小时|分钟|师傅|工程部|保洁|登记|工单|回访|前")
VARIANTS = 4


@dataclass(frozen=True)
class Rewritten:
    text: str
    drafter: str  # model | offline | offline_fallback


class _Answer(BaseModel):
    text: str = Field(min_length=1, max_length=600)


def _parse(text: str) -> str:
    body = re.sub(r"^```(?:json)?\s*|\s*```$", "", (text or "").strip())
    try:
        return _Answer.model_validate(json.loads(body[body.find("{"): body.rfind("}") + 1])).text.strip()
    except Exception as exc:  # noqa: BLE001 - JSONDecodeError, ValidationError
        raise OutputInvalid(f"需要 JSON 对象 {{\"text\": \"…\"}} / expected a JSON object {{\"text\": \"…\"}}: {exc}") from exc


async def rewrite(ctx: WorkflowContext, draft: DraftSet, request: DraftRequest, stage: Stage, style: Style,
                  script: Script, variant: str) -> Rewritten:
    """The rewritten text of ``stage`` in the owner's script."""
    from agent.understand.script import to_script, to_simplified

    current = draft.stage(stage).text
    if style in ("traditional", "simplified"):
        target = Script.traditional if style == "traditional" else Script.simplified
        return Rewritten(to_script(current, target, variant), "offline")
    source = to_simplified(current)
    if ctx.model.models:
        from agent.drafting.prompts import load_pack

        pack = load_pack(ctx.settings.prompts_dir, "rewrite")
        user = pack["user"].render(stage=stage.value, style=STYLE_ZH[style], text=source,
                                   complaint=request.complaint,
                                   channel=json.dumps(request.context()["channel"], ensure_ascii=False))
        messages = [{"role": "system", "content": pack["system"].render()}, {"role": "user", "content": user}]
        try:
            result = await ctx.model.complete(messages, _parse, lambda error: pack["repair"].render(error=error))
            return Rewritten(to_script(result.value, script, variant), "model")
        except ModelError:
            pass  # the offline options below
    text = offline(request, stage, style, source)
    return Rewritten(to_script(text, script, variant), "offline" if not ctx.model.models else "offline_fallback")


def offline(request: DraftRequest, stage: Stage, style: Style, current: str) -> str:
    """The offline drafter's other phrasing options for ``stage``, the best for ``style``."""
    from agent.drafting.offline.drafter import draft as draft_offline

    options = []
    for n in range(VARIANTS):  # each extra hint shifts the drafter to another variant
        ask = request.model_copy(update={"only_stages": [stage], "rejected": {stage: current},
                                         "fix_hints": {stage: ["换一种说法"] * n}})
        text = draft_offline(ask)["stages"][0]["text"]
        if text not in options and text != current:
            options.append(text)
    options = options or [current]
    if style == "shorter":
        trimmed = shorten(current, max(1, len(sentences(current)) - 1))
        return trimmed if len(trimmed) < len(current) else min(options, key=len)
    if style == "warmer":
        return max(options, key=lambda t: (len(_WARM.findall(t)), -abs(len(t) - len(current))))
    if style == "more_formal":
        best = formal(current)
        return best if best != current else formal(min(options, key=lambda t: len(_CHATTY.findall(t))))
    # more_specific
    return max(options, key=lambda t: (len(_SPECIFIC.findall(t)), len(t)))
