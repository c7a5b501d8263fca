"""Client/server mode: a real `chroma run` server started for this module, used via WUYE_CHROMA_HOST."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from agent.errors import IndexMissing
from agent.retrieval.index import build_index
from agent.retrieval.search import Retriever
from agent.settings import Settings

pytestmark = [pytest.mark.chroma_server, pytest.mark.slow]  # server start-up takes 5–20 s

CHROMA = Path(sys.executable).with_name("chroma")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):  # type: ignore[no-untyped-def]
    if not CHROMA.exists():
        pytest.skip(f"{CHROMA} not installed")
    path = tmp_path_factory.mktemp("chroma-server")
    port = _free_port()
    log = (path / "server.log").open("wb")
    proc = subprocess.Popen([str(CHROMA), "run", "--path", str(path / "db"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("chroma server did not start: " + (path / "server.log").read_text()[-2000:])
            time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        shutil.rmtree(path, ignore_errors=True)


def test_build_and_search_against_server(chroma_server, corpus_dir, _isolated_data_dir):
    settings = Settings(data_dir=_isolated_data_dir, corpus_dir=corpus_dir, chroma_host="127.0.0.1",
                        chroma_port=chroma_server, chroma_collection="server_test")
    with pytest.raises(IndexMissing):
        Retriever.open(settings)
    report = build_index(settings)
    assert report.added == 9
    assert build_index(settings).unchanged == 9
    hits = Retriever.open(settings).search("業主情緒激動一直吼", k=2)
    assert hits[0].id == "empathize.calm_down"
    stages = Retriever.open(settings).search_stages("水管爆了", k=1)
    assert stages["act"][0].id == "act.repair_dispatch"
    assert not settings.chroma_path.exists()  # nothing was written to the embedded store


def test_unreachable_server_is_index_missing(corpus_dir, _isolated_data_dir):
    settings = Settings(data_dir=_isolated_data_dir, corpus_dir=corpus_dir, chroma_host="127.0.0.1",
                        chroma_port=_free_port())
    with pytest.raises(IndexMissing) as err:
        Retriever.open(settings)
    assert "wuye corpus build" in err.value.en
