"""A litellm embedding model plugged in by settings, against a respx-mocked OpenAI-compatible host."""

import hashlib
import json

import httpx
import pytest
import respx

from agent.errors import ModelError
from agent.retrieval.index import build_index
from agent.retrieval.search import EmbeddingMismatch, Retriever

pytestmark = pytest.mark.slow  # imports litellm (≈ 4–7 s on this machine)

URL = "http://embed.test/v1/embeddings"
DIM = 16
VOCAB = ["漏水", "修", "骂", "情绪", "赔", "物业费", "横幅", "回访", "插话", "打断", "问", "吼", "水管", "业主", "钱", "谢"]


def fake_vector(text: str) -> list[float]:
    """Deterministic: a bag of a few domain words, plus a small hash-based component."""
    vec = [float(text.count(word)) for word in VOCAB]
    digest = hashlib.sha256(text.encode()).digest()
    return [v + digest[i] / 2550 for i, v in enumerate(vec)]


def respond(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
    data = [{"object": "embedding", "index": i, "embedding": fake_vector(t)} for i, t in enumerate(texts)]
    return httpx.Response(200, json={"object": "list", "data": data, "model": body["model"],
                                     "usage": {"prompt_tokens": 1, "total_tokens": 1}})


@pytest.fixture
def router():
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as mocked:
        yield mocked


@pytest.fixture
def remote(settings):
    from pydantic import SecretStr

    return settings.model_copy(update={"embedding_model": "openai/test-embed",
                                       "embedding_api_base": "http://embed.test/v1",
                                       "embedding_api_key": SecretStr("test-key-0001")})


def test_build_and_search_with_litellm_embedding(remote, router):
    route = router.post(URL).mock(side_effect=respond)
    report = build_index(remote)
    assert report.added == 9 and report.embedding == "litellm/openai/test-embed"
    assert route.called
    sent = json.loads(route.calls[0].request.content)
    assert sent["model"] == "test-embed" and len(sent["input"]) == 9
    assert route.calls[0].request.headers["authorization"] == "Bearer test-key-0001"
    assert any("业主" in text for text in sent["input"])  # normalised Simplified text is embedded

    calls_before = route.call_count
    assert build_index(remote).unchanged == 9
    assert route.call_count == calls_before  # nothing re-embedded

    retriever = Retriever.open(remote)
    hits = retriever.search("楼上水管漏水", k=2)
    assert hits[0].id == "act.repair_dispatch"
    query_sent = json.loads(route.calls[-1].request.content)["input"]
    assert query_sent == ["楼上水管漏水"]


def test_switching_embedding_requires_and_triggers_rebuild(built, remote, router):
    router.post(URL).mock(side_effect=respond)
    with pytest.raises(EmbeddingMismatch) as err:
        Retriever.open(remote)
    assert "wuye corpus build" in err.value.en and "重建" in err.value.zh
    report = build_index(remote)
    assert report.rebuilt and report.added == 9
    Retriever.open(remote)  # usable now
    with pytest.raises(EmbeddingMismatch):
        Retriever.open(built)  # and the offline embedding now sees a foreign index


def test_model_failure_is_a_model_error(remote, router):
    router.post(URL).mock(return_value=httpx.Response(500, json={"error": {"message": "boom"}}))
    with pytest.raises(ModelError) as err:
        build_index(remote.model_copy(update={"retries": 0}))
    assert "test-embed" in err.value.en and "嵌入模型" in err.value.zh
