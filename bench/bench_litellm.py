"""What one model call costs in CPU on this side: `.venv/bin/python bench/bench_litellm.py [--calls 300]`.

A loopback OpenAI-compatible mock answers at once from a separate process (its CPU is not
counted). This process then sends the same chat request (a ≈ 20 KB prompt, JSON mode) ``--calls``
times each way, after a warm-up, and reports the CPU time of this process (all threads: litellm
prepares each call in the event loop's default executor) per call:

1. ``litellm.acompletion`` with the keyword arguments `agent/drafting/model.py` sends (what a draft pays);
2. the OpenAI SDK's ``AsyncOpenAI.chat.completions.create`` alone (what litellm builds on for ``openai/``);
3. a bare ``httpx.AsyncClient.post`` of the same body (the HTTP floor).

The difference between 1 and 2 is litellm's own bookkeeping (request set-up in a thread, cost and
hidden-params calculation, its success-logging task).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MESSAGES = [{"role": "system", "content": "你是物业客服回复助手。" * 300},
            {"role": "user", "content": "楼上漏水一个多星期了,报修三次都没人来!" * 300}]
ANSWER = json.dumps({
    "id": "chatcmpl-bench", "object": "chat.completion", "created": 0, "model": "mock",
    "choices": [{"index": 0, "finish_reason": "stop",
                 "message": {"role": "assistant", "content": json.dumps({"stages": []})}}],
    "usage": {"prompt_tokens": 500, "completion_tokens": 300, "total_tokens": 800}}).encode()


async def mock_app(scope, receive, send):  # type: ignore[no-untyped-def]  # tiny ASGI app
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(ANSWER)).encode())]})
    await send({"type": "http.response.body", "body": ANSWER})


def serve(port: int) -> None:
    import uvicorn

    uvicorn.run(mock_app, host="127.0.0.1", port=port, log_level="error")


def start_mock() -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, __file__, "--serve", str(port)])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, f"http://127.0.0.1:{port}/v1"
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the mock model server did not start")


async def cpu_per_call(call, calls: int) -> float:  # type: ignore[no-untyped-def]
    for _ in range(30):
        await call()
    await asyncio.sleep(0.2)  # let background logging tasks of the warm-up finish
    started = time.process_time()
    for _ in range(calls):
        await call()
    await asyncio.sleep(0.3)  # and those of the measured calls, which are part of their cost
    return (time.process_time() - started) * 1000 / calls


async def main(calls: int) -> None:
    import httpx
    import openai

    from agent.drafting.model import ModelAccess, litellm_module
    from agent.settings import Settings

    proc, base = start_mock()
    try:
        settings = Settings(model="openai/mock", api_base=base, api_key="sk-bench-local")
        litellm = litellm_module()
        router = ModelAccess(settings).router()
        kwargs = {"model": "openai/mock", "messages": MESSAGES, "api_base": base, "api_key": "sk-bench-local",
                  "timeout": 30, "max_retries": 0, "response_format": {"type": "json_object"}}
        sdk = openai.AsyncOpenAI(base_url=base, api_key="sk-bench-local", max_retries=0)
        raw = httpx.AsyncClient()
        body = {"model": "mock", "messages": MESSAGES, "response_format": {"type": "json_object"}}
        rows = [
            ("litellm Router (agent/drafting/model.py)", lambda: router.acompletion(
                model="m0", messages=MESSAGES, response_format={"type": "json_object"})),
            ("litellm.acompletion alone", lambda: litellm.acompletion(**kwargs)),
            ("OpenAI SDK chat.completions.create", lambda: sdk.chat.completions.create(
                model="mock", messages=MESSAGES, response_format={"type": "json_object"})),
            ("bare httpx POST", lambda: raw.post(f"{base}/chat/completions", json=body)),
        ]
        results = [(name, await cpu_per_call(call, calls)) for name, call in rows]
        await raw.aclose()
    finally:
        proc.kill()
    print(f"\nCPU per model call, this process, all threads ({os.cpu_count()} cores, "
          f"load avg {os.getloadavg()[0]:.1f}; n={calls} each, mock answers at once)")
    for name, ms in results:
        print(f"  {name:<52}{ms:>7.2f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
    else:
        asyncio.run(main(args.calls))
