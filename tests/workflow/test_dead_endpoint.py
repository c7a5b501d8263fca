"""A model endpoint that accepts connections and never answers: with WUYE_TIMEOUT=2, WUYE_RETRIES=1
and two fallbacks, `wuye draft --jsonl` of 10 complaints labels every draft offline_fallback; the
first request pays the retries (3 models × 2 attempts) and the Router's cooldown spares the other nine.
The wall time of the whole command (≤ 30 s) is measured by `bench/bench_dead_endpoint.py`, with the
load average; this test checks the mechanism, which holds on a loaded machine too."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture
def dead_endpoint():  # noqa: ANN201 - yields the base URL of a server that never answers
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/v1", held
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_dead_endpoint_costs_the_first_request_only(dead_endpoint, tmp_path, _isolated_data_dir):
    from agent.retrieval.index import build_index
    from agent.settings import Settings

    base, held = dead_endpoint
    build_index(Settings(data_dir=_isolated_data_dir), progress=False)  # not part of the timed run
    lines = tmp_path / "complaints.jsonl"
    lines.write_text("\n".join(json.dumps({"id": f"c{i}", "text": f"第{i}栋电梯又坏了,困了人半小时才有人来!"},
                                          ensure_ascii=False) for i in range(10)), encoding="utf-8")
    env = {**os.environ, "WUYE_DATA_DIR": str(_isolated_data_dir), "WUYE_MODEL": "openai/primary",
           "WUYE_API_BASE": base, "WUYE_API_KEY": "sk-local-dead", "WUYE_TIMEOUT": "2", "WUYE_RETRIES": "1",
           "WUYE_FALLBACKS": "openai/second,openai/third"}
    wuye = Path(sys.executable).parent / "wuye"
    proc = subprocess.Popen([str(wuye), "draft", "--jsonl", str(lines)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    drafts, arrived = [], []
    for line in proc.stdout:  # one line per draft, flushed as it is written
        drafts.append(json.loads(line))
        arrived.append(time.perf_counter())
    assert proc.wait(timeout=300) == 0, proc.stderr.read()[-2000:]
    assert len(drafts) == 10 and {d["drafter"] for d in drafts} == {"offline_fallback"}
    assert len(held) <= 6  # three models × (1 + one retry), all in the first request
    assert drafts[0]["llm_calls"] == 7 and all(d["llm_calls"] == 1 for d in drafts[1:])  # + the offline drafter
    assert arrived[-1] - arrived[0] < 10  # nine drafts without a model timeout (each would cost ≥ 12 s)
