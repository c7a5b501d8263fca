"""HTTP API benchmark: `.venv/bin/python bench/bench_api.py [--concurrency 64] [--latency 1.0] [--baseline REF [--rounds N]]
[--instances N]`.

With ``--baseline REF`` (e.g. 0c58e1a) the same measurements run, in the same run, against a
``git worktree`` of REF in a temp dir (served by this virtualenv's Python with the worktree first on
the path, bench/serve_tree.py; removed afterwards), and both columns are printed with the load average.
``--rounds N`` measures both trees N times, alternating which goes first, and prints each measure's
median: on a shared machine whose speed drifts within minutes, one pass of each says little.

Starts a mock OpenAI-compatible model on a loopback port (answers after a set latency), then
`wuye serve` in a subprocess on a temp data dir (SQLite, embedded Chroma, WUYE_MODEL=openai/mock),
and measures:
  0. the first POST /v1/drafts once /readyz says ready (model at 0 s): what the warm-up leaves undone;
  1. N concurrent POST /v1/drafts with the model at --latency seconds: total wall time
     (target: 64 at 1 s finish in ≤ 1.5 s — the API never blocks its event loop);
  2. sequential POST /v1/drafts at zero model latency: p50/p99 end to end, and the part outside
     the workflow nodes (end to end − the draft's timings_ms.total) = HTTP, auth, store, audit and
     the core's own LangGraph/store overhead;

With ``--instances N`` (N ≥ 2): N `wuye serve` processes on one fresh PostgreSQL database (createdb)
and Redis, as docs/deploy.md deploys them; the same burst is sent to one instance and then spread
over all N, in the same run, at the model latency and at zero latency (CPU-bound).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.serve_tree import ROOT, baseline_tree, free_port, served, start_api, wait_ready  # noqa: E402

TEXTS = {
    "listen": "您慢慢说,不着急,您说的每一点我都记下来了,还有什么想补充的尽管告诉我。",
    "empathize": "问题一直没解决,换了谁都会着急,真是辛苦您了,给您添麻烦了。",
    "ask": "想跟您确认一下,问题具体在哪个位置?您看今天下午还是明天上午方便师傅上门?",
    "act": "我这就给您登记加急工单,请师傅今天下午上门查看,有进展我第一时间打电话告诉您。",
    "negotiate": "查清原因后,处理方案我先跟您商量,按您方便的时间来安排。",
    "thank": "谢谢您及时告诉我们,也谢谢您的耐心,处理好以后我会再回访,确认您满意。",
}
COMPLAINTS = ["楼上漏水一个多星期了,报修三次都没人来!", "电梯又坏了,老人孩子天天爬楼,你们管不管?",
              "小区门口天天堆垃圾,臭得不行。", "地下车库的灯坏了半个月,晚上根本看不清路。",
              "物业费涨了服务一点没变好,保安还爱答不理。", "隔壁装修早上七点就开始砸墙,投诉几次都没用。"]


# -- mock model -----------------------------------------------------------------------------------
class MockModel:
    def __init__(self) -> None:
        self.latency = 1.0
        self.calls = 0
        self.in_flight = 0
        self.max_in_flight = 0

    async def __call__(self, scope, receive, send):  # type: ignore[no-untyped-def]  # tiny ASGI app
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.calls += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.latency)
        finally:
            self.in_flight -= 1
        user = next(m["content"] for m in json.loads(body)["messages"] if m["role"] == "user")
        context = json.loads(re.search(r"<context_json>\s*(.*?)\s*</context_json>", user, re.S).group(1))
        stages = context.get("only_stages") or list(TEXTS)
        content = {"stages": [{"stage": s, "text": TEXTS[s], "techniques": [context["stages"][s][0]["id"]]}
                              for s in stages]}
        payload = json.dumps({
            "id": "chatcmpl-bench", "object": "chat.completion", "created": int(time.time()), "model": "mock",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": json.dumps(content, ensure_ascii=False)}}],
            "usage": {"prompt_tokens": 500, "completion_tokens": 300, "total_tokens": 800}}).encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]})
        await send({"type": "http.response.body", "body": payload})


def start_mock(model: MockModel, port: int) -> None:
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(model, host="127.0.0.1", port=port, log_level="error", backlog=512))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)


async def post(client: httpx.AsyncClient, token: str, i: int) -> tuple[float, dict]:
    start = time.perf_counter()
    r = await client.post("/v1/drafts", headers={"Authorization": f"Bearer {token}"},
                          json={"complaint": f"{COMPLAINTS[i % len(COMPLAINTS)]}(第{i}次)", "project": "翠湖苑"})
    elapsed = time.perf_counter() - start
    if r.status_code != 201:
        raise SystemExit(f"POST /v1/drafts → {r.status_code}: {r.text[:300]}")
    return elapsed, r.json()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of a process and its live children (`--workers N`): Linux
    /proc; 0.0 elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(cpu_seconds(int(child)) for child in children)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latency", type=float, default=1.0)
    parser.add_argument("--sequential", type=int, default=60)
    parser.add_argument("--workers", type=int, default=1, help="`wuye serve --workers`")
    parser.add_argument("--busy-cores", type=int, default=0,
                        help="keep N cores busy with spinning processes during the run (a loaded machine)")
    parser.add_argument("--baseline", metavar="REF", help="also measure a git worktree of REF, in the same run")
    parser.add_argument("--rounds", type=int, default=1,
                        help="with --baseline: measure both trees N times, alternating which goes first "
                             "(ABBA…), and print the median of each measure (this machine's speed drifts)")
    parser.add_argument("--instances", type=int, default=1,
                        help="N ≥ 2: N instances on one PostgreSQL database + Redis; one vs all N in the same run")
    args = parser.parse_args()
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.busy_cores)]
    try:
        if args.instances > 1:
            report_instances(args, await measure_instances(args))
            return
        with contextlib.ExitStack() as stack:
            targets = [("this tree", ROOT)]
            if args.baseline:
                targets.append((f"baseline {args.baseline}", stack.enter_context(baseline_tree(args.baseline))))
            runs: dict[str, list[dict[str, float]]] = {name: [] for name, _ in targets}
            for round_ in range(max(args.rounds, 1)):
                for name, tree in targets if round_ % 2 == 0 else targets[::-1]:
                    runs[name].append(await measure(args, tree))
            results = [(name, _median(values)) for name, values in runs.items()]
    finally:
        for spinner in spinners:
            spinner.kill()
    report(args, results)
    if len(runs) == 2 and args.rounds > 1:
        _paired(*runs.values())


PAIRED = ("burst wall (s)", "sequential p50 (ms)", "burst server CPU / request (ms)",
          "sequential server CPU / request (ms)")


def _paired(this: list[dict[str, float]], baseline: list[dict[str, float]]) -> None:
    """Each round measured both trees back to back: this tree / baseline per round, so a drift of the
    machine's speed between rounds cancels out."""
    print("\nper round, this tree / baseline (< 1: this tree is faster)")
    for key in PAIRED:
        ratios = [a[key] / b[key] for a, b in zip(this, baseline, strict=True) if b[key]]
        print(f"{key:<46}" + " ".join(f"{r:5.2f}" for r in ratios)
              + f"   median {statistics.median(ratios):.2f} · slower in {sum(r > 1 for r in ratios)} of {len(ratios)}")


async def measure(args: argparse.Namespace, tree: Path) -> dict[str, float]:
    model, mock_port = MockModel(), free_port()
    start_mock(model, mock_port)
    async with served(tree, f"http://127.0.0.1:{mock_port}/v1", args.workers) as (base, token, proc):
        limits = httpx.Limits(max_connections=args.concurrency + 8, max_keepalive_connections=args.concurrency + 8)
        async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
            model.latency = 0.0
            # the first request once /readyz says ready, then warm-up: connection pools (in every worker)
            first_ms = (await post(client, token, 0))[0] * 1000
            await asyncio.gather(*(post(client, token, i) for i in range(1, 4 * args.workers)))

            model.latency = args.latency
            model.calls = model.max_in_flight = 0
            cpu_before = cpu_seconds(proc.pid)
            start = time.perf_counter()
            results = await asyncio.gather(*(post(client, token, i) for i in range(args.concurrency)))
            wall = time.perf_counter() - start
            burst_cpu = (cpu_seconds(proc.pid) - cpu_before) * 1000 / args.concurrency
            burst = [r[0] for r in results]

            model.latency = 0.0
            cpu_before = cpu_seconds(proc.pid)
            seq = [await post(client, token, 100 + i) for i in range(args.sequential)]
            seq_cpu = (cpu_seconds(proc.pid) - cpu_before) * 1000 / args.sequential
            e2e = [s[0] * 1000 for s in seq]
            workflow = [s[1]["timings_ms"].get("total", 0.0) for s in seq]
    return {"first request after ready (ms)": first_ms,
            "burst wall (s)": wall, "burst p50 latency (s)": pct(burst, .5), "burst max latency (s)": max(burst),
            "burst server CPU / request (ms)": burst_cpu, "model calls in the burst": float(model.calls),
            "sequential p50 (ms)": pct(e2e, .5), "sequential p99 (ms)": pct(e2e, .99),
            "sequential workflow p50 (ms)": pct(workflow, .5), "sequential mean (ms)": statistics.fmean(e2e),
            "sequential server CPU / request (ms)": seq_cpu}


# -- several instances on one database ---------------------------------------------------------------
async def measure_instances(args: argparse.Namespace) -> list[tuple[str, dict[str, float]]]:
    """One instance, then all ``args.instances``, on the same fresh PostgreSQL database and Redis."""
    import uuid

    database = "wuye_bench_" + uuid.uuid4().hex[:8]
    admin = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
    subprocess.run(["createdb", *admin, database], check=True)
    shared = {"WUYE_DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{database}",
              "WUYE_REDIS_URL": "redis://127.0.0.1:6379/0", "WUYE_REDIS_PREFIX": f"bench-{database}",
              "WUYE_SECRET_KEY": uuid.uuid4().hex}
    model, mock_port = MockModel(), free_port()
    start_mock(model, mock_port)
    procs: list[subprocess.Popen] = []
    try:
        with tempfile.TemporaryDirectory(prefix="wuye-bench-instances-") as tmp:
            ports = [free_port() for _ in range(args.instances)]
            tokens = []
            for i, port in enumerate(ports):
                (Path(tmp) / str(i)).mkdir()
                proc, token = start_api(Path(tmp) / str(i), port, f"http://127.0.0.1:{mock_port}/v1", ROOT, 1,
                                        shared)
                procs.append(proc)
                tokens.append(token)
            limits = httpx.Limits(max_connections=args.concurrency + 8, max_keepalive_connections=args.concurrency + 8)
            clients = [httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120, limits=limits)
                       for port in ports]
            try:
                for client, proc in zip(clients, procs, strict=True):
                    await wait_ready(client, proc)
                await asyncio.gather(*(post(clients[i % len(clients)], tokens[0], i) for i in range(8 * len(clients))))
                results = []
                for name, used in (("1 instance", clients[:1]), (f"{len(clients)} instances", clients)):
                    values = {}
                    for latency in (args.latency, 0.0):
                        model.latency = latency
                        cpu_before = sum(cpu_seconds(p.pid) for p in procs)
                        start = time.perf_counter()
                        timed = await asyncio.gather(*(post(used[i % len(used)], tokens[0], i)
                                                       for i in range(args.concurrency)))
                        values[f"burst wall, model {latency:.1f} s (s)"] = time.perf_counter() - start
                        values[f"  p50 latency, model {latency:.1f} s (s)"] = pct([t[0] for t in timed], .5)
                        values[f"  server CPU / request, model {latency:.1f} s (ms)"] = (
                            (sum(cpu_seconds(p.pid) for p in procs) - cpu_before) * 1000 / args.concurrency)
                    results.append((name, values))
                return results
            finally:
                await asyncio.gather(*(c.aclose() for c in clients))
                for proc in procs:
                    proc.terminate()
                    proc.wait(timeout=30)
    finally:
        subprocess.run(["dropdb", *admin, "--if-exists", "--force", database], check=False, capture_output=True)


def report_instances(args: argparse.Namespace, results: list[tuple[str, dict[str, float]]]) -> None:
    load = os.getloadavg()
    print(f"\nwuye-copilot, several instances ({os.cpu_count()} cores, load avg {load[0]:.1f} / {load[1]:.1f} / "
          f"{load[2]:.1f}; `wuye serve` × {args.instances} on one PostgreSQL database + Redis, mock model; "
          f"{args.concurrency} concurrent POST /v1/drafts to one instance, then spread over all)")
    _table(results)


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def _table(results: list[tuple[str, dict[str, float]]]) -> None:
    names = [name for name, _ in results]
    print(f"{'measure':<46}" + "".join(f"{name:>20}" for name in names))
    print("-" * (46 + 20 * len(names)))
    for key in results[0][1]:
        print(f"{key:<46}" + "".join(f"{values[key]:>20.2f}" for _, values in results))


def report(args: argparse.Namespace, results: list[tuple[str, dict[str, float]]]) -> None:
    load = os.getloadavg()
    print(f"\nwuye-copilot HTTP API benchmark ({os.cpu_count()} cores, load avg {load[0]:.1f} / {load[1]:.1f} / "
          f"{load[2]:.1f}; `wuye serve --workers {args.workers}`, SQLite, mock model; {args.concurrency} concurrent "
          f"POST /v1/drafts at model latency {args.latency:.1f} s, then {args.sequential} sequential at 0 s"
          f"{f', {args.busy_cores} core(s) kept busy' if args.busy_cores else ''}"
          f"{f'; median of {args.rounds} rounds, order alternating' if args.rounds > 1 else ''})")
    _table(results)


if __name__ == "__main__":
    asyncio.run(main())
