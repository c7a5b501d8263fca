"""Tokens for retrieval: character n-grams, jieba words and domain concepts (lexicon.yaml).

``Analyzer`` turns normalised (Simplified, lower-case) text into the feature tokens used by
both the offline embedding and the lexical BM25 score. It is built once per process.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from agent.retrieval.yamlio import load_yaml

HERE = Path(__file__).resolve().parent
LEXICON_PATH = HERE / "lexicon.yaml"
STOPWORDS_PATH = HERE / "stopwords.txt"

_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_LATIN = re.compile(r"[a-z0-9]+")
CONCEPT_PREFIX = "@"


@dataclass(frozen=True)
class AnalyzerOptions:
    """Which token families to produce (the retrieval eval compares alternatives)."""

    bigrams: bool = True
    trigrams: bool = False
    words: bool = True
    concepts: bool = True


_PARTICLES = "了个过着完"


def _term_pattern(term: str) -> str:
    if len(term) == 2 and all("\u3400" <= ch <= "\u9fff" for ch in term):
        return f"{re.escape(term[0])}[{_PARTICLES}]?{re.escape(term[1])}"
    return re.escape(term)


@dataclass
class Lexicon:
    concepts: dict[str, list[str]]
    stopwords: frozenset[str]
    _term_to_concepts: dict[str, list[str]] = field(default_factory=dict)
    _pattern: re.Pattern[str] | None = None

    def __post_init__(self) -> None:
        for concept, terms in self.concepts.items():
            for term in terms:
                self._term_to_concepts.setdefault(str(term).lower(), []).append(concept)
        terms = sorted(self._term_to_concepts, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(_term_pattern, terms))) if terms else None

    def concepts_in(self, text: str) -> list[str]:
        """Concept names found in ``text`` (once per distinct matching term). A two-character
        verb–object term also matches with an aspect particle inside: 交钱 ~ 交了钱, 回话 ~ 回个话."""
        if self._pattern is None:
            return []
        found: list[str] = []
        for match in set(self._pattern.findall(text)):
            term = match if match in self._term_to_concepts else match[0] + match[-1]
            found.extend(self._term_to_concepts.get(term, ()))
        return found

    @property
    def terms(self) -> list[str]:
        return list(self._term_to_concepts)


@lru_cache(maxsize=4)
def load_lexicon(path: Path = LEXICON_PATH, stopwords_path: Path = STOPWORDS_PATH) -> Lexicon:
    """Parsed and compiled once per process (both analyzers share it; read-only after this)."""
    data = load_yaml(path.read_text(encoding="utf-8")) or {}
    concepts = {str(name): [str(t) for t in terms] for name, terms in (data.get("concepts") or {}).items()}
    stopwords = frozenset(stopwords_path.read_text(encoding="utf-8").split())
    return Lexicon(concepts=concepts, stopwords=stopwords)


_cache_dir: Path | None = None
FREQ_FILE = "jieba-freq-{version}.sqlite3"  # per jieba version: its dictionary ships with it


def use_cache_dir(folder: Path) -> None:
    """Keep jieba's word frequencies in ``folder`` (``WUYE_DATA_DIR``) as a SQLite file read on
    demand (see ``LazyFreq``). Set before the first analyzer; without it jieba loads as usual."""
    global _cache_dir
    _cache_dir = folder


class LazyFreq(dict):  # type: ignore[type-arg]
    """jieba's word → frequency map, looked up in a SQLite file on demand and memoised (misses too).

    Loading jieba's dictionary unmarshals ~500k words and prefixes: ≈ 0.4 s of CPU on a quiet
    machine, ≈ 2 s at this machine's usual load — a quarter of a cold `wuye draft`. Tokenising a
    query looks up a few hundred of them, so reading those from an indexed file is the cheaper
    start. The lookups are the same as the dict's (``tests/corpus/test_lexicon_cache.py`` compares
    every token of the playbook), so tokens, BM25 statistics and vectors do not change. jieba only
    uses ``in``, ``[]``, ``.get`` and (``add_word``) item assignment, which lands in memory."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._lock = threading.Lock()

    def _load(self, key: str) -> int | None:
        with self._lock:
            row = self._db.execute("SELECT freq FROM freq WHERE word = ?", (key,)).fetchone()
        value = row[0] if row else None
        dict.__setitem__(self, key, value)
        return value

    def _value(self, key: str) -> int | None:
        return dict.__getitem__(self, key) if dict.__contains__(self, key) else self._load(key)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._value(key) is not None

    def __getitem__(self, key: str) -> int:
        value = self._value(key)
        if value is None:
            raise KeyError(key)
        return value

    def get(self, key: str, default: int | None = None) -> int | None:  # type: ignore[override]
        value = self._value(key)
        return default if value is None else value


def _write_freq_file(path: Path, freq: dict[str, int], total: int) -> None:
    """jieba's frequencies as an indexed table (written once per data dir, atomically)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    try:
        db.execute("CREATE TABLE freq (word TEXT PRIMARY KEY, freq INTEGER NOT NULL) WITHOUT ROWID")
        db.execute("CREATE TABLE meta (total INTEGER NOT NULL)")
        db.executemany("INSERT INTO freq VALUES (?, ?)", freq.items())
        db.execute("INSERT INTO meta VALUES (?)", (total,))
        db.commit()
    finally:
        db.close()
    os.replace(tmp, path)


@lru_cache(maxsize=2)
def _jieba_with(terms: tuple[str, ...]):  # type: ignore[no-untyped-def]
    """A private jieba tokenizer (the global one is left untouched) that knows the lexicon terms."""
    import jieba

    jieba.setLogLevel(60)
    tokenizer = jieba.Tokenizer()
    path = _cache_dir / FREQ_FILE.format(version=jieba.__version__) if _cache_dir is not None and _cache_dir.is_dir() else None
    if path is not None and path.is_file():
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
                total = db.execute("SELECT total FROM meta").fetchone()[0]
            tokenizer.FREQ, tokenizer.total, tokenizer.initialized = LazyFreq(path), total, True
        except sqlite3.Error:
            path.unlink(missing_ok=True)  # damaged: rebuilt below from jieba's own dictionary
            tokenizer = jieba.Tokenizer()
    if not tokenizer.initialized:
        tokenizer.initialize()
        if path is not None:
            try:
                _write_freq_file(path, tokenizer.FREQ, tokenizer.total)
            except (OSError, sqlite3.Error):
                pass  # a read-only data dir: jieba loads as usual next time
    for term in terms:
        if len(term) >= 2:
            tokenizer.add_word(term, freq=2000)
    return tokenizer


@lru_cache(maxsize=64)
def _segment(tokenizer, text: str) -> tuple[str, ...]:  # type: ignore[no-untyped-def]  # jieba has no hints
    """jieba's words of ``text``, remembered for a few texts: a query is tokenised by the dense and the
    lexical analyzer (one jieba tokenizer), so it is segmented once."""
    return tuple(tokenizer.lcut(text, HMM=False))


def segment(text: str) -> tuple[str, ...]:
    """jieba's words of ``text`` with its own dictionary only (no lexicon terms: the guard's learned
    layer reads them, and its model must not change when the lexicon does)."""
    return _segment(_jieba_with(()), text)


class Analyzer:
    """Normalised text → list of tokens. Thread-safe after construction."""

    def __init__(self, lexicon: Lexicon, options: AnalyzerOptions | None = None) -> None:
        self.lexicon = lexicon
        self.options = options or AnalyzerOptions()
        self._jieba = _jieba_with(tuple(lexicon.terms)) if self.options.words else None

    def tokens(self, text: str) -> list[str]:
        stop = self.lexicon.stopwords
        out: list[str] = []
        opts = self.options
        for run in _CJK_RUN.findall(text):
            if opts.bigrams:
                out.extend(g for i in range(len(run) - 1)
                           if not ((g := run[i:i + 2])[0] in stop and g[1] in stop))
            if opts.trigrams:
                out.extend(run[i:i + 3] for i in range(len(run) - 2))
            if len(run) == 1 and run not in stop:
                out.append(run)
        out.extend(_LATIN.findall(text))
        if self._jieba is not None:
            out.extend("w:" + w for w in _segment(self._jieba, text)
                       if len(w) >= 2 and w not in stop and _CJK_RUN.fullmatch(w))
        if opts.concepts:
            out.extend(CONCEPT_PREFIX + c for c in self.lexicon.concepts_in(text))
        return out

    def counts(self, text: str) -> Counter[str]:
        return Counter(self.tokens(text))


@lru_cache(maxsize=4)
def get_analyzer(options: AnalyzerOptions = AnalyzerOptions()) -> Analyzer:
    return Analyzer(load_lexicon(), options)
