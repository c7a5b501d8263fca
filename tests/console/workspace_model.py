"""The mocked model host of the workspace tests: draft requests get well-formed, guard-clean stage
texts (streamed when the request streams, optionally holding every stage after the first until a
test opens ``gate``); rewrite requests get ``{"text": …}`` for the asked stage."""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time

import httpx

from tests.live.conftest import answer_pieces, chunk, final_chunk, streamed
from tests.workflow.conftest import answer_for, chat, user_message

TEXTS = {
    "listen": "您慢慢说,不着急,您说的每一点我都记下来了,还有什么想补充的尽管告诉我。",
    "empathize": "家里漏水还发了霉,换了谁都会着急上火,真是辛苦您了。",
    "ask": "想跟您确认一下,漏水主要在卫生间还是客厅?您看今天下午还是明天上午方便师傅上门?",
    "act": "我这就给您登记加急维修,请维修师傅今天下午上门查看漏水点,有进展我第一时间打电话告诉您。",
    "negotiate": "找到漏水原因后,维修方案我先跟您和楼上住户商量,按您方便的时间安排施工。",
    "thank": "谢谢您及时告诉我们,也谢谢您这几天的耐心,修好以后我会再回访,确认您满意。",
}
REWRITES = {  # what the model answers to "rewrite this stage" (guard-clean, different from TEXTS)
    "act": "您别着急,我这就给您登记加急维修,请维修师傅今天下午就上门查看漏水点,有进展我第一时间打电话告诉您,您放心。",
    "thank": "真的谢谢您及时告诉我们,修好以后我会再回访,确认您满意。",
}
# An edit the guard blocks today (blaming.owner_fault on 是您自己造成的), with no personal data in it.
BLOCKED_EDIT = "这是您自己造成的,费用由您承担。"
BLOCKED_RULE = "blaming.owner_fault"
BLOCKED_SPAN = "是您自己造成的"


class WorkspaceModel:
    def __init__(self, gate: threading.Event | None = None) -> None:
        self.gate = gate
        self.streamed = 0
        self.rewrites: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        user = user_message(request)
        if "<context_json>" not in user:  # prompts/rewrite.user.j2
            stage = re.search(r"环节:(\w+)", user).group(1)  # type: ignore[union-attr]
            self.rewrites.append(stage)
            return httpx.Response(200, json=chat(json.dumps({"text": REWRITES.get(stage, TEXTS[stage])},
                                                            ensure_ascii=False)))
        answer = answer_for(request, TEXTS)
        if not json.loads(request.content).get("stream"):
            return httpx.Response(200, json=chat(json.dumps(answer, ensure_ascii=False)))
        self.streamed += 1
        pieces, gate = answer_pieces(answer), self.gate

        async def body():  # noqa: ANN202
            for index, piece in enumerate(pieces):
                if index == 3 and gate is not None:  # the first stage is complete: hold the rest
                    deadline = time.monotonic() + 30
                    while not gate.is_set() and time.monotonic() < deadline:
                        await asyncio.sleep(0.02)
                yield chunk(piece)
                await asyncio.sleep(0.01)
            yield final_chunk()

        return streamed(body())
