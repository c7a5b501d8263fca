"""Drafting-workflow overhead with a zero-latency mocked model, and the offline-drafter path.

    .venv/bin/python bench/bench_workflow.py [--n 200]

Model path: litellm → respx (instant, fixed valid answer) at http://llm.test/v1. "overhead" is the
wall time of DraftCore.create minus the time spent inside litellm calls (timings_ms.llm),
i.e. intake, PII masking, classification, retrieval, prompt rendering, parsing, guardrails,
script conversion and the store writes (SQLite: the request, then the draft set + audit event). Offline path: the embedded drafter is the
model; its time is reported separately. Prompt size is counted with litellm.token_counter.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import agent  # noqa: E402,F401  (offline-safe environment first)

COMPLAINTS = [
    "楼上卫生间漏水到我家天花板已经三天了,报修两次都没人来,墙皮都泡起来了!",
    "小区东门的道闸坏了两天,车进不去也出不来,保安说不归他管。",
    "物业费凭什么又涨了?电梯三天两头坏,保洁也不到位,我要求退一部分物业费。",
    "楼下装修周末早上七点就开始砸墙,吵得孩子没法睡觉,你们管不管?",
    "地下车库的灯坏了一大半,晚上停车黑乎乎的,上周还有人剐蹭了,电话13812345678。",
    "你们客服态度太差了,我打了三次电话,每次都说会反馈,结果什么都没有。",
]
TEXTS = {
    "listen": "您先别着急,慢慢说,您反映的情况我都一条条记下来了,您看还有哪些细节需要补充?",
    "empathize": "这件事确实给您添了不少麻烦,换作是我也会着急,真的很抱歉让您久等了。",
    "ask": "想跟您确认一下,问题大概是从什么时候开始的?您看今天下午还是明天上午方便师傅上门查看?",
    "act": "我现在就给您登记工单,安排维修师傅今天下午上门查看,处理进展我会在今天下班前电话告诉您。",
    "negotiate": "维修方案出来后我先跟您商量,您看哪个时间段施工对您家影响最小,我们按您方便的时间来安排。",
    "thank": "谢谢您及时告诉我们,也谢谢您的耐心,问题处理好后我会再回访,确认您满意。",
}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


async def _create(core, complaint: str):  # noqa: ANN001, ANN202
    from agent.workflow.models import Actor, DraftInput

    return (await core.create(DraftInput(complaint=complaint, project="bench"), Actor(id="bench"))).draft


async def run(core, n: int, warmup: int = 10) -> dict:  # noqa: ANN001
    walls, llm, calls, nodes = [], [], [], {}
    for i in range(n + warmup):
        started = time.perf_counter()
        draft = await _create(core, COMPLAINTS[i % len(COMPLAINTS)])
        wall = (time.perf_counter() - started) * 1000
        if i < warmup:
            continue
        walls.append(wall)
        llm.append(draft.timings_ms.get("llm", 0.0))
        calls.append(draft.llm_calls)
        for key, value in draft.timings_ms.items():
            nodes.setdefault(key, []).append(value)
        assert all(s.guardrail.passed for s in draft.stages), draft.id
        assert draft.drafter in ("model", "offline"), draft.events
    overhead = [w - m for w, m in zip(walls, llm, strict=True)]
    return {"wall": walls, "llm": llm, "overhead": overhead, "calls": calls, "nodes": nodes, "drafter": draft.drafter}


def main() -> int:
    import asyncio

    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    return asyncio.run(measure(parser.parse_args()))


async def measure(args: argparse.Namespace) -> int:
    import httpx
    import respx

    from agent.drafting.model import count_tokens
    from agent.retrieval.index import build_index, ensure_index
    from agent.settings import Settings
    from agent.workflow.core import DraftCore
    from agent.workflow.models import Actor, Decision

    data = Path(tempfile.mkdtemp(prefix="wuye-bench-"))
    offline_settings = Settings(data_dir=data / "offline")
    build_index(offline_settings, progress=False)
    model_settings = Settings(data_dir=offline_settings.data_dir, model="openai/test-model",
                              api_base="http://llm.test/v1", api_key="sk-bench")
    captured: list[dict] = []

    def respond(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if not captured:
            captured.append(body)
        user = body["messages"][-1]["content"]
        context = json.loads(re.search(r"<context_json>\s*(.*?)\s*</context_json>", user, re.S).group(1))
        answer = {"stages": [{"stage": s, "text": t, "techniques": [context["stages"][s][0]["id"]]}
                             for s, t in TEXTS.items()]}
        return httpx.Response(200, json={
            "id": "x", "object": "chat.completion", "created": 1, "model": "test-model",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": json.dumps(answer, ensure_ascii=False)},
                         "finish_reason": "stop"}]})

    rows = []
    with respx.mock(assert_all_called=False) as mock:
        mock.post("http://llm.test/v1/chat/completions").mock(side_effect=respond)
        core = await DraftCore.open(model_settings)
        core.warm_up()
        model = await run(core, args.n)
        decide = []
        for _ in range(50):
            draft = await _create(core, COMPLAINTS[1])
            started = time.perf_counter()
            await core.decide(draft.id, Decision(action="approve"), Actor(id="bench"))
            decide.append((time.perf_counter() - started) * 1000)
        await core.aclose()
    ensure_index(offline_settings)  # the corpus may have changed meanwhile (shared tree)
    core = await DraftCore.open(offline_settings)
    core.warm_up()
    offline = await run(core, args.n)
    await core.aclose()

    messages = captured[0]["messages"]
    tokens = count_tokens("openai/test-model", messages)
    system_tokens = count_tokens("openai/test-model", messages[:1])
    chars = sum(len(m["content"]) for m in messages)

    def line(name: str, values: list[float], unit: str = "ms") -> tuple[str, str, str, str]:
        return (name, f"{statistics.median(values):.1f}", f"{pct(values, 99):.1f}", unit)

    rows += [line("model path · overhead (wall − model)", model["overhead"]),
             line("model path · wall incl. litellm+respx", model["wall"]),
             line("model path · inside litellm (mock, 0 latency)", model["llm"]),
             line("model path · llm calls per request", [float(c) for c in model["calls"]], "calls"),
             line("approve decision (pure function + conditional update)", decide),
             line("offline path · overhead (wall − drafter)", offline["overhead"]),
             line("offline path · offline drafter", offline["llm"]),
             line("offline path · wall", offline["wall"])]
    for node in ("understand", "retrieve", "draft", "guard"):
        rows.append(line(f"  node {node} (model path{', incl. litellm' if node == 'draft' else ''})", model["nodes"][node]))
    print(f"wuye drafting workflow · n={args.n} per path · {os.cpu_count()} cores, load avg {os.getloadavg()[0]:.1f}")
    print(f"{'metric':52} {'p50':>9} {'p99':>9}  unit")
    for name, p50, p99, unit in rows:
        print(f"{name:52} {p50:>9} {p99:>9}  {unit}")
    print(f"prompt size (first draft request): {tokens} tokens (litellm.token_counter, cl100k for unknown models), "
          f"system {system_tokens} tokens, {chars} characters")
    print(f"targets: overhead p50 ≤ 25 ms, p99 ≤ 80 ms; 1 call per request when the first draft passes "
          f"(mean here {statistics.mean(model['calls']):.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
