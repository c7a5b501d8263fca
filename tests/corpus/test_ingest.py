"""Ingest of raw documents written in the seeds' style (tests/fixtures/ingest/)."""

import shutil
from pathlib import Path

import pytest

from agent.errors import InvalidInput
from agent.retrieval.ingest import ingest_paths, read_document
from agent.retrieval.search import Retriever

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ingest"
HANDBOOK = FIXTURES / "company_emotion_handbook.txt"   # Traditional; article repeated in full; cashier job ad in the middle
GUIDE = FIXTURES / "repair_complaint_guide.md"         # boilerplate, a near-duplicate item, qigong/insomnia tail


def decisions(report, name):  # type: ignore[no-untyped-def]
    file_report = next(f for f in report.files if f.path.endswith(name))
    return [(d.decision, d.excerpt) for d in file_report.decisions], file_report.counts


def test_duplicate_article_and_job_ad_are_dropped(settings):
    report = ingest_paths(settings, [HANDBOOK])
    rows, counts = decisions(report, HANDBOOK.name)
    assert counts["kept"] == 7          # the article's seven paragraphs, once
    assert counts["duplicate"] == 7     # its verbatim repetition
    assert counts["off_topic"] == 4     # the four cashier duties
    assert [excerpt for decision, excerpt in rows if decision == "off_topic"][1].startswith("2.審核報銷單據")
    assert all("現金" not in excerpt and "憑證" not in excerpt for decision, excerpt in rows if decision == "kept")
    assert report.added == 7 and not report.failed


def test_boilerplate_near_duplicate_and_unrelated_tail(settings):
    report = ingest_paths(settings, [GUIDE])
    rows, counts = decisions(report, GUIDE.name)
    kept = [excerpt for decision, excerpt in rows if decision == "kept"]
    assert len(kept) == 4 and kept[0].startswith("1. 业主打来报修电话")
    assert counts["near_duplicate"] == 1   # the reworded follow-up item
    dropped = {excerpt: decision for decision, excerpt in rows if decision != "kept"}
    assert dropped["• 日期:03-12"] == "boilerplate"
    assert dropped["版权归原作者所有,仅供内部学习"] == "boilerplate"
    assert dropped["• 晚上失眠睡不着?试试这套呼吸法"] == "off_topic"
    assert any(d == "off_topic" and e.startswith("很多人躺下后") for e, d in dropped.items())
    assert not any("养生" in e or "失眠" in e for e in kept)


def test_index_keeps_original_text_but_searches_simplified(settings):
    ingest_paths(settings, [HANDBOOK, GUIDE])
    from agent.retrieval.index import build_index

    build_index(settings)
    retriever = Retriever.open(settings)
    hits = retriever.search_passages("业主说话很冲,跟我争对错怎么办", k=2)
    assert hits and "先接住情緒" in hits[0].text          # original Traditional text is returned
    assert hits[0].source.startswith("company_emotion_handbook.txt §")
    hits = retriever.search_passages("电梯困人了怎么派单", k=1)
    assert hits[0].text.startswith("2. 遇到漏水、停电、电梯困人")


def test_reingest_is_idempotent(settings):
    first = ingest_paths(settings, [HANDBOOK, GUIDE])
    again = ingest_paths(settings, [HANDBOOK, GUIDE])
    assert first.added == 11 and again.added == 0
    assert again.totals()["already_indexed"] == 11


def test_bad_files_are_reported_and_others_continue(settings, tmp_path):
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("业主投诉处理办法:先听后说。".encode("gbk"))
    pdf = tmp_path / "manual.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    missing = tmp_path / "missing.md"
    good = tmp_path / "guide.md"
    shutil.copy(GUIDE, good)
    report = ingest_paths(settings, [gbk, pdf, missing, good])
    errors = {Path(f.path).name: f.error for f in report.failed}
    assert set(errors) == {"gbk.txt", "manual.pdf", "missing.md"}
    assert "UTF-8" in errors["gbk.txt"]["message_en"] and "gbk.txt" in errors["gbk.txt"]["message_zh"]
    assert "Unsupported" in errors["manual.pdf"]["message_en"]
    assert "Cannot read" in errors["missing.md"]["message_en"]
    assert report.added == 4


def test_read_document_errors_are_typed(tmp_path):
    (tmp_path / "a.docx").write_bytes(b"PK")
    with pytest.raises(InvalidInput, match="a.docx"):
        read_document(tmp_path / "a.docx")


def test_passages_follow_an_embedding_change(settings, monkeypatch):
    from agent.retrieval import embedding as emb
    from agent.retrieval.index import build_index

    ingest_paths(settings, [GUIDE])
    build_index(settings)
    assert Retriever.open(settings).search_passages("电梯困人", k=1)
    # a new lexicon changes the offline embedding's signature: the index must be rebuilt, passages too
    monkeypatch.setattr(emb.ChineseHashEmbedding, "signature", lambda self: "wuye_zh_hash/test-new")
    with pytest.raises(Exception, match="wuye corpus build"):
        Retriever.open(settings)
    report = build_index(settings)
    assert report.rebuilt
    hits = Retriever.open(settings).search_passages("电梯困人", k=1)
    assert hits and hits[0].text.startswith("2. 遇到漏水、停电、电梯困人")
