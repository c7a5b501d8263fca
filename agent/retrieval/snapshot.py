"""The opened index as one file pair, so the next process opens it with a file read.

``Retriever.open`` over the embedded Chroma store reads every entry, vector and passage and
tokenises all texts for BM25 (≈ 4 s with the chromadb import at load). The result does not change
until the store does, so after an open from Chroma it is written to ``WUYE_DATA_DIR/index-snapshot/``
(``snapshot.json``: entries, passages and a fingerprint; ``snapshot.npz``: unit vectors and the
BM25 postings). A later open whose fingerprint matches reads these two files and imports neither
chromadb nor sqlite's Chroma schema. The fingerprint is every file of the Chroma directory (path,
size, mtime in ns) plus the embedding signature and the lexicon, stop words and analyzer options
BM25 was built with: `wuye corpus build` / `ingest` (any write to the store) or a lexicon edit makes
it stale, and the next open reads Chroma and rewrites it. A Chroma server is never snapshotted
(its state changes without us seeing a file).

This is a cache, never a second store: deleting the directory only costs the next open its Chroma
read. It is written atomically (a temp file renamed), so concurrent processes never read half of it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from agent.retrieval.bm25 import BM25
from agent.retrieval.lexicon import LEXICON_PATH, STOPWORDS_PATH, AnalyzerOptions
from agent.settings import Settings

log = logging.getLogger(__name__)

FORMAT = 1
DIRNAME = "index-snapshot"


@dataclass
class Part:
    """One scored collection: its unit vectors and BM25 state."""

    vectors: np.ndarray
    bm25: BM25


@dataclass
class Snapshot:
    entries: list[dict[str, Any]]      # Entry JSON objects, in index order
    passages: list[dict[str, Any]]     # {"id", **metadata}
    entry_part: Part
    passage_part: Part | None


def usable(settings: Settings) -> bool:
    """Only the embedded store: its files say when it changed."""
    return not settings.chroma_host


def fingerprint(settings: Settings, signature: str, options: AnalyzerOptions) -> str | None:
    """What the snapshot was built from; None when there is no embedded store."""
    root = settings.chroma_path
    if not (root / "chroma.sqlite3").is_file():
        return None
    digest = hashlib.sha256()
    digest.update(f"{FORMAT}|{signature}|{asdict(options)}|{settings.chroma_collection}".encode())
    for path in (LEXICON_PATH, STOPWORDS_PATH):
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            stat = (Path(dirpath) / name).stat()
            digest.update(f"{os.path.relpath(Path(dirpath) / name, root)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _paths(settings: Settings) -> tuple[Path, Path]:
    folder = settings.data_dir / DIRNAME
    return folder / "snapshot.json", folder / "snapshot.npz"


def load(settings: Settings, key: str) -> Snapshot | None:
    """The snapshot for ``key``, or None (absent, stale or unreadable: the caller reads Chroma)."""
    meta_path, arrays_path = _paths(settings)
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT or meta.get("key") != key:
            return None
        with np.load(arrays_path, allow_pickle=False) as data:
            if str(data["key"]) != key:  # the pair was written together
                return None
            arrays = {name: data[name] for name in data.files}
        entry_part = _part(meta["entry_vocab"], arrays, "e_")
        passage_part = _part(meta["passage_vocab"], arrays, "p_") if meta["passage_vocab"] is not None else None
        return Snapshot(meta["entries"], meta["passages"], entry_part, passage_part)
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - a damaged cache is rebuilt, never fatal
        log.warning("index snapshot unreadable; reading the Chroma store instead", exc_info=True)
        return None


def _part(vocab: list[str], arrays: dict[str, np.ndarray], prefix: str) -> Part:
    bm25 = BM25.from_arrays(vocab, {k[len(prefix):]: v for k, v in arrays.items()
                                    if k.startswith(prefix) and k != prefix + "vectors"})
    return Part(arrays[prefix + "vectors"], bm25)


def save(settings: Settings, key: str, snapshot: Snapshot) -> None:
    """Write the snapshot (best effort: a read-only data dir just means no snapshot)."""
    meta_path, arrays_path = _paths(settings)
    arrays: dict[str, np.ndarray] = {"key": np.array(key)}
    meta: dict[str, Any] = {"format": FORMAT, "key": key, "entries": snapshot.entries,
                            "passages": snapshot.passages, "passage_vocab": None}
    for prefix, part in (("e_", snapshot.entry_part), ("p_", snapshot.passage_part)):
        if part is None:
            continue
        vocab, bm25 = part.bm25.to_arrays()
        meta["entry_vocab" if prefix == "e_" else "passage_vocab"] = vocab
        arrays[prefix + "vectors"] = part.vectors
        arrays.update({prefix + name: value for name, value in bm25.items()})
    try:
        meta_path.parent.mkdir(parents=True, exist_ok=True)
        _atomic(arrays_path, lambda f: np.savez(f, **arrays))
        _atomic(meta_path, lambda f: f.write(json.dumps(meta, ensure_ascii=False).encode("utf-8")))
    except OSError:
        log.warning("could not write the index snapshot", exc_info=True)


def _atomic(path: Path, write: Any) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
