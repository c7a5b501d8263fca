"""Metrics across processes: `/metrics` of a `--workers 2` instance counts the requests of both
workers (Prometheus multiprocess mode, whichever worker answers the scrape), and model calls,
tokens and cost are counted per model from litellm's usage data."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from .conftest import Cluster
from .test_exactly_once import bearer

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.multiprocess]


def _samples(text: str, name: str, **labels: str) -> float:
    return sum(s.value for family in text_string_to_metric_families(text) for s in family.samples
               if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()))


async def _scrape(url: str) -> str:
    async with httpx.AsyncClient(timeout=30) as client:  # a new connection: any worker may answer
        r = await client.get(f"{url}/metrics")
        assert r.status_code == 200
        return r.text


async def test_one_scrape_counts_the_requests_of_every_worker(cluster: Cluster) -> None:
    url = cluster.url("w")
    counted = {"name": "wuye_http_requests_total", "method": "GET", "route": "/v1/drafts", "status": "200"}
    before = _samples(await _scrape(url), **counted)
    key = (await cluster.topo.bulk_keys("agent", 1))[0]
    for _ in range(30):
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:  # new connections: both workers serve
            assert (await client.get("/v1/drafts", headers=bearer(key))).status_code == 200
    scrapes = [_samples(await _scrape(url), **counted) for _ in range(6)]
    assert scrapes == [before + 30] * 6  # the whole instance in every scrape, not one worker's share
    files = list((cluster.topo.root / "w-metrics").glob("counter_*.db"))
    assert len({f.stem.split("_")[-1] for f in files}) >= 2, files  # both worker processes counted


async def test_model_calls_and_tokens_per_model(cluster: Cluster) -> None:
    key = (await cluster.topo.bulk_keys("agent", 1))[0]
    async with httpx.AsyncClient(base_url=cluster.url("a"), timeout=60) as client:
        r = await client.post("/v1/drafts", json={"complaint": "小区门口天天堆垃圾,臭得不行。", "project": "翠湖苑"},
                              headers=bearer(key))
        assert r.status_code == 201 and r.json()["drafter"] == "model"
    text = await _scrape(cluster.url("a"))
    calls = _samples(text, "wuye_model_calls_total", model="openai/mock", outcome="success")
    assert calls >= r.json()["llm_calls"] >= 1
    # the mock reports 100 prompt and 100 completion tokens per answer (tests.workflow.conftest.chat)
    assert _samples(text, "wuye_model_tokens_total", model="openai/mock", kind="prompt") == 100 * calls
    assert _samples(text, "wuye_model_tokens_total", model="openai/mock", kind="completion") == 100 * calls
    assert _samples(text, "wuye_model_call_seconds_count", model="openai/mock") == calls
    # cost: the mock has no price in litellm's map (tests/api/test_usage_metrics.py checks a priced model)
