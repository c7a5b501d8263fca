"""jieba's frequencies read on demand from WUYE_DATA_DIR (lexicon.LazyFreq): the same tokens."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from agent.retrieval import lexicon
from agent.retrieval.lexicon import LazyFreq

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ["楼上漏水三天了,我家天花板都泡坏了,打了两次电话都没人来!", "業主一直罵人我該怎麼接", "停车费凭什么涨价?交了钱也不给发票",
           "电梯困人了,我妈被困在里面半个小时", "物业管家态度恶劣,投诉无门"]


def _texts() -> list[str]:
    entries = yaml.safe_load((ROOT / "tests" / "fixtures" / "corpus" / "playbook.yaml").read_text(encoding="utf-8"))
    return SAMPLES + [" ".join([e["title"], e["guidance"], *e.get("phrasings", [])]) for e in entries]


def test_lazy_frequencies_give_the_same_tokens_as_jieba(tmp_path, monkeypatch):
    terms = tuple(lexicon.load_lexicon().terms)
    lexicon._jieba_with.cache_clear()
    monkeypatch.setattr(lexicon, "_cache_dir", tmp_path)
    try:
        first = lexicon._jieba_with(terms)  # no file yet: jieba loads as usual and writes it
        assert not isinstance(first.FREQ, LazyFreq)
        assert list(tmp_path.glob("jieba-freq-*.sqlite3"))
        lexicon._jieba_with.cache_clear()
        lazy = lexicon._jieba_with(terms)
        assert isinstance(lazy.FREQ, LazyFreq) and lazy.total == first.total
        for text in _texts():
            assert lazy.lcut(text, HMM=False) == first.lcut(text, HMM=False), text
        assert "漏水" in lazy.FREQ and "不是一个词的串串" not in lazy.FREQ and lazy.FREQ.get("无此词", 7) == 7
    finally:
        lexicon._jieba_with.cache_clear()


def test_a_damaged_frequency_file_is_rebuilt(tmp_path, monkeypatch):
    terms = tuple(lexicon.load_lexicon().terms)
    lexicon._jieba_with.cache_clear()
    monkeypatch.setattr(lexicon, "_cache_dir", tmp_path)
    import jieba

    path = tmp_path / lexicon.FREQ_FILE.format(version=jieba.__version__)
    path.write_bytes(b"not a database")
    try:
        tokenizer = lexicon._jieba_with(terms)
        assert tokenizer.lcut("楼上漏水", HMM=False)
        lexicon._jieba_with.cache_clear()
        assert isinstance(lexicon._jieba_with(terms).FREQ, LazyFreq)  # rewritten whole
    finally:
        lexicon._jieba_with.cache_clear()


def test_a_cold_process_does_not_load_the_jieba_dictionary(tmp_path):
    """With the file in the data dir, tokenising a query never unmarshals jieba's dictionary."""
    code = ("import jieba, sys; from pathlib import Path; from agent.retrieval import lexicon; "
            f"lexicon.use_cache_dir(Path({str(tmp_path)!r})); a = lexicon.get_analyzer(); a.tokens('楼上漏水三天了'); "
            "import marshal; marshal.load = None; lexicon._jieba_with.cache_clear(); "
            "print(type(lexicon.get_analyzer.__wrapped__().tokens.__self__._jieba.FREQ).__name__)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "LazyFreq"
