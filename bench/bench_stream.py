"""Time to the first guarded stage (streamed) vs the complete draft set, against a local mock model
that streams at 40 tokens/s; with ``--baseline REF``, the blocking call against REF too, in the same run.

    .venv/bin/python bench/bench_stream.py [--n 3] [--tps 40] [--baseline 70202fd]

Real `POST /v1/drafts` calls over loopback to `wuye serve` of this tree (a subprocess of this
virtualenv's Python on a temp data dir: offline index, SQLite; bench/serve_tree.py), drafting with a
local OpenAI-compatible mock model (a uvicorn server in a thread of this process). The mock answers the
six stages; with ``stream: true`` it sends the answer's tokens (litellm's token count of the answer,
the answer cut into that many pieces) at ``--tps`` per second, and without streaming it waits the
same time and sends the whole answer. Printed, from the same run: for the streamed call the time to
the first ``stage`` event and to ``done``; for the blocking call (no streaming) the time to its
response, p50 and each run, with the load average at the start and the end.

``--baseline REF`` (70202fd = before live channels, the commit before 3f476b6): a ``git worktree``
of REF in a temp dir (removed afterwards) is served the same way beside this tree, with the same mock
model, complaint and ``--n``; each run times this tree's streamed and blocking calls, then REF's
blocking call (interleaved, so both columns see the same load), and both blocking columns are printed.

Acceptance (issue 16): first stage ≤ 25 % of the complete draft set; the blocking call's figures
unchanged. Measured 2026-12-07 (`--baseline 70202fd --n 5`, 2 cores, load average 1.5 → 1.3):
first stage 1.73 s, streamed done 9.68 s → 17.9 %; blocking p50 9.64 s this tree vs 9.66 s at
70202fd (runs 9.65 / 9.64 / 9.67 / 9.64 / 9.64 vs 9.66 / 9.67 / 9.64 / 9.65 / 9.66).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import agent  # noqa: E402,F401  (offline-safe environment first)

BODY = {"complaint": "楼上卫生间漏水到我家天花板已经三天了,报修两次都没人来,墙皮都泡起来了!", "project": "bench"}
SERVE_ENV = {"WUYE_TIMEOUT": "120", "WUYE_RETRIES": "0"}
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
        stages = context.get("only_stages") or list(TEXTS)
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


async def streamed_call(client, base: str, token: str) -> tuple[float, float]:  # noqa: ANN001 - httpx.AsyncClient
    """``POST /v1/drafts`` with ``Accept: text/event-stream``: seconds to the first ``stage`` event and to ``done``."""
    started, first, done = time.perf_counter(), None, None
    async with client.stream("POST", f"{base}/v1/drafts", json=BODY,
                             headers={"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}) as response:
        async for line in response.aiter_lines():
            if line == "event: stage" and first is None:
                first = time.perf_counter() - started
            elif line == "event: done":
                done = time.perf_counter() - started
            elif line.startswith("data: ") and done is not None:
                assert json.loads(line[6:])["draft"]["drafter"] == "model", line
    assert first is not None and done is not None, "no stage / done event"
    return first, done


async def blocking_call(client, base: str, token: str) -> float:  # noqa: ANN001 - httpx.AsyncClient
    """``POST /v1/drafts`` without streaming: seconds to the stored draft."""
    started = time.perf_counter()
    r = await client.post(f"{base}/v1/drafts", json=BODY, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201 and r.json()["drafter"] == "model", r.text
    return time.perf_counter() - started


def _runs(values: list[float]) -> str:
    return ", ".join(f"{x:.2f}" for x in values)


async def measure(args: argparse.Namespace) -> int:
    import httpx

    from bench.serve_tree import ROOT, baseline_tree, served

    model_base = f"{serve_in_thread(mock_model(args.tps))}/v1"
    load_start = os.getloadavg()
    names = ["this tree"] + ([f"baseline {args.baseline}"] if args.baseline else [])
    first, done, blocking = [], [], [[] for _ in names]
    async with contextlib.AsyncExitStack() as stack:
        trees = [ROOT] + ([stack.enter_context(baseline_tree(args.baseline))] if args.baseline else [])
        servers = [await stack.enter_async_context(served(tree, model_base, extra_env=SERVE_ENV)) for tree in trees]
        client = await stack.enter_async_context(httpx.AsyncClient(timeout=300))
        for run in range(args.n + 1):  # run 0 warms up (litellm's first streamed call, the first stored draft)
            streamed = await streamed_call(client, *servers[0][:2])
            plain = [await blocking_call(client, base, token) for base, token, _ in servers]
            if run == 0:
                print(f"warm-up run (not counted): first stage {streamed[0]:.2f} s, streamed done {streamed[1]:.2f} s, "
                      "blocking " + ", ".join(f"{name} {x:.2f} s" for name, x in zip(names, plain, strict=True)))
                continue
            first.append(streamed[0])
            done.append(streamed[1])
            for column, x in zip(blocking, plain, strict=True):
                column.append(x)
    load = os.getloadavg()
    med = statistics.median
    print(f"mock model: {args.tps:g} tokens/s; {args.n} runs after one warm-up run, interleaved; `wuye serve` "
          f"(SQLite) of each tree; {os.cpu_count()} cores, load average {load_start[0]:.1f} / {load_start[1]:.1f} / "
          f"{load_start[2]:.1f} at the start, {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the end")
    print(f"streamed (this tree): first guarded stage  median {med(first):6.2f} s  (runs: {_runs(first)})")
    print(f"streamed (this tree): complete draft set   median {med(done):6.2f} s  (runs: {_runs(done)})")
    print("blocking call (POST /v1/drafts, no streaming), complete draft set, s:")
    print(f"  {'':<6}" + "".join(f"{name:>20}" for name in names))
    print(f"  {'p50':<6}" + "".join(f"{med(column):>20.2f}" for column in blocking))
    for i in range(args.n):
        print(f"  {f'run {i + 1}':<6}" + "".join(f"{column[i]:>20.2f}" for column in blocking))
    if args.baseline:
        change = med(blocking[0]) / med(blocking[1]) - 1
        print(f"  blocking p50, this tree vs baseline {args.baseline}: {change:+.1%}")
    ratio = med(first) / med(done)
    print(f"first stage / complete = {ratio:.1%}  (target ≤ 25 %: {'✓' if ratio <= 0.25 else '✗'})")
    return 0 if ratio <= 0.25 else 1


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3)
    parser.add_argument("--tps", type=float, default=40.0)
    parser.add_argument("--baseline", metavar="REF",
                        help="also time the blocking call against a git worktree of REF, in the same run")
    return asyncio.run(measure(parser.parse_args()))


if __name__ == "__main__":
    raise SystemExit(main())
