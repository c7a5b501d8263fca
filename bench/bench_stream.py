"""Time to the first guarded stage (streamed) vs the complete draft set, against a local mock model
that streams at 40 tokens/s.

    .venv/bin/python bench/bench_stream.py [--n 3] [--tps 40]

A real `POST /v1/drafts` over loopback (the app served by uvicorn in this process, offline index,
SQLite) to a local OpenAI-compatible mock model (a second uvicorn server in a thread). The mock
answers the six stages; with ``stream: true`` it sends the answer's tokens (litellm's token count of
the answer, the answer cut into that many pieces) at ``--tps`` per second, and without streaming it
waits the same time and sends the whole answer. Printed, from the same run: for the streamed call the
time to the first ``stage`` event and to ``done``; for the blocking call the time to its response.
Acceptance (issue 16): first stage ≤ 25 % of the complete draft set.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import agent  # noqa: E402,F401  (offline-safe environment first)

COMPLAINT = "楼上卫生间漏水到我家天花板已经三天了,报修两次都没人来,墙皮都泡起来了!"
TEXTS = {
    "listen": "您先别着急,您说的楼上渗水到您家天花板、已经三天的情况,我都一条条记下来了,您看还有哪些细节需要补充?",
    "empathize": "天花板一直渗水,墙皮都泡起来了,换作是我也会着急上火,报修两次都没人上门,这确实是我们做得不到位,真的很抱歉。",
    "ask": "想跟您确认一下,渗水的位置是在卫生间顶上还是客厅?您看今天下午还是明天上午方便师傅上门查看?",
    "act": "我现在就给您登记加急工单,安排维修师傅今天下午先到楼上排查漏点,处理进展我会在今天下班前打电话告诉您。",
    "negotiate": "漏点找到以后,维修方案和您家天花板的修复怎么安排,我先跟您商量,您看哪个时间段施工对您家影响最小。",
    "thank": "谢谢您及时告诉我们,也谢谢您这几天的耐心,问题处理好后我会再回访,确认天花板修好、您满意为止。",
}


def mock_model(tps: float):  # noqa: ANN201 - a Starlette app
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, StreamingResponse
    from starlette.routing import Route

    from agent.drafting.model import litellm_module

    litellm = litellm_module()

    def answer_for(body: dict) -> str:
        user = body["messages"][-1]["content"]
        context = json.loads(re.search(r"<context_json>\s*(.*?)\s*</context_json>", user, re.S).group(1))
        stages = context["only_stages"] or list(TEXTS)
        return json.dumps({"stages": [{"stage": s, "text": TEXTS[s], "techniques": [context["stages"][s][0]["id"]]}
                                      for s in stages]}, ensure_ascii=False)

    def pieces(text: str) -> list[str]:
        tokens = max(1, litellm.token_counter(model="gpt-4o", text=text))
        size = len(text) / tokens
        return [text[round(i * size):round((i + 1) * size)] for i in range(tokens)]

    pieces(json.dumps(TEXTS, ensure_ascii=False))  # load the tokenizer now, not in the first request

    async def completions(request: Request):  # noqa: ANN202
        body = await request.json()
        text = answer_for(body)
        parts = pieces(text)
        if not body.get("stream"):
            await asyncio.sleep(len(parts) / tps)
            return JSONResponse({"id": "m", "object": "chat.completion", "created": 1, "model": "mock",
                                 "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                              "finish_reason": "stop"}],
                                 "usage": {"prompt_tokens": 1000, "completion_tokens": len(parts), "total_tokens": 0}})

        async def stream():  # noqa: ANN202
            started = time.perf_counter()
            for i, part in enumerate(parts):
                await asyncio.sleep(max(0.0, started + (i + 1) / tps - time.perf_counter()))
                chunk = {"id": "m", "object": "chat.completion.chunk", "created": 1, "model": "mock",
                         "choices": [{"index": 0, "delta": {"content": part}, "finish_reason": None}]}
                yield f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"
            yield 'data: {"id":"m","object":"chat.completion.chunk","created":1,"model":"mock","choices":' \
                  '[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n'

        return StreamingResponse(stream(), media_type="text/event-stream")

    return Starlette(routes=[Route("/v1/chat/completions", completions, methods=["POST"])])


def serve_in_thread(app) -> str:  # noqa: ANN001
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"


async def measure(args: argparse.Namespace) -> int:
    import httpx
    import uvicorn

    from agent.retrieval.index import build_index
    from agent.settings import Settings
    from agent.workflow.store.keys import create_api_key
    from api.app import create_app

    model_base = serve_in_thread(mock_model(args.tps))
    data = Path(tempfile.mkdtemp(prefix="wuye-bench-stream-"))
    build_index(Settings(data_dir=data), progress=False)
    settings = Settings(data_dir=data, model="openai/mock", api_base=f"{model_base}/v1", api_key="sk-bench",
                        timeout=120, retries=0)
    app = create_app(settings, recover=False, deliver=False)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    base = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    await app.state.warmup
    async with app.state.core.db.begin() as conn:
        _, token = await create_api_key(conn, name="bench", role="agent", projects=["bench"])
    headers = {"Authorization": f"Bearer {token}"}
    body = {"complaint": COMPLAINT, "project": "bench"}
    first, done, blocking = [], [], []
    async with httpx.AsyncClient(base_url=base, timeout=300) as client:
        for run in range(args.n + 1):  # run 0 warms up (litellm's first streamed call, the first stored draft)
            if run == 1:
                warm = (first.pop(), done.pop(), blocking.pop())
                print(f"warm-up run (not counted): first stage {warm[0]:.2f} s, streamed done {warm[1]:.2f} s, "
                      f"blocking {warm[2]:.2f} s")
            started = time.perf_counter()
            seen_first = None
            async with client.stream("POST", "/v1/drafts", json=body,
                                     headers={**headers, "Accept": "text/event-stream"}) as response:
                async for line in response.aiter_lines():
                    if line == "event: stage" and seen_first is None:
                        seen_first = time.perf_counter() - started
                    if line == "event: done":
                        done.append(time.perf_counter() - started)
                    if line.startswith("data: ") and done and len(done) > len(first):
                        assert json.loads(line[6:])["draft"]["drafter"] == "model"
            first.append(seen_first)
            started = time.perf_counter()
            r = await client.post("/v1/drafts", json=body, headers=headers)
            assert r.status_code == 201 and r.json()["drafter"] == "model", r.text
            blocking.append(time.perf_counter() - started)
    server.should_exit = True
    await task
    med = statistics.median
    print(f"mock model: {args.tps:g} tokens/s, {args.n} runs each, load average {os.getloadavg()[0]:.1f}")
    print(f"streamed : first guarded stage  median {med(first):6.2f} s  (runs: {', '.join(f'{x:.2f}' for x in first)})")
    print(f"streamed : complete draft set   median {med(done):6.2f} s  (runs: {', '.join(f'{x:.2f}' for x in done)})")
    print(f"blocking : complete draft set   median {med(blocking):6.2f} s  (runs: {', '.join(f'{x:.2f}' for x in blocking)})")
    ratio = med(first) / med(done)
    print(f"first stage / complete = {ratio:.1%}  (target ≤ 25 %: {'✓' if ratio <= 0.25 else '✗'})")
    return 0 if ratio <= 0.25 else 1


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3)
    parser.add_argument("--tps", type=float, default=40.0)
    return asyncio.run(measure(parser.parse_args()))


if __name__ == "__main__":
    raise SystemExit(main())
