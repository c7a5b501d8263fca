from pathlib import Path

import pytest

from agent.errors import InvalidInput
from agent.retrieval.loader import load_corpus
from agent.retrieval.models import Entry
from agent.vocab import Stage, Topic

GOOD = """
- id: listen.one
  stage: listen
  topic: complaint_handling
  title: 标题
  guidance: 说明。
  phrasings: [话术一, 话术二]
  must_avoid: [{id: listen.avoid.one, text: 打断业主, category: disrespect}]
  keywords: [打断]
  source: {file: 001.txt, section: 1}
"""


def write(tmp_path: Path, text: str, name: str = "a.yaml") -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_loads_fixture_playbook(corpus_dir):
    entries = load_corpus(corpus_dir)
    assert len(entries) == 9
    by_id = {e.id: e for e in entries}
    assert by_id["listen.let_finish"].stage is Stage.listen
    assert by_id["fees.overdue_reminder"].stage is None
    assert by_id["fees.overdue_reminder"].topic is Topic.fee_collection
    assert str(by_id["ask.details"].source) == "001_60b02ae7e330d0d2.txt § 3、问"


@pytest.mark.parametrize("mutation, where", [
    (("id: listen.one", "id: Listen-One"), "id"),
    (("stage: listen", "stage: chat"), "stage"),
    (("topic: complaint_handling", "topic: gossip"), "topic"),
    (("phrasings: [话术一, 话术二]", "phrasings: [只有一句]"), "phrasings"),
    (("category: disrespect", "category: rude"), "category"),
    (("  keywords: [打断]\n", "  keywords: [打断]\n  extra: 1\n"), "extra"),
])
def test_invalid_entry_names_file_and_entry(tmp_path, mutation, where):
    write(tmp_path, GOOD.replace(*mutation), "bad.yaml")
    with pytest.raises(InvalidInput) as err:
        load_corpus(tmp_path)
    assert "bad.yaml" in err.value.zh and "bad.yaml" in err.value.en
    assert where in err.value.en
    assert err.value.details["file"].endswith("bad.yaml")


def test_duplicate_ids_rejected(tmp_path):
    write(tmp_path, GOOD, "a.yaml")
    write(tmp_path, GOOD, "b.yaml")
    with pytest.raises(InvalidInput, match="Duplicate entry id listen.one"):
        load_corpus(tmp_path)


def test_bad_yaml_non_utf8_missing_dir_and_empty(tmp_path):
    write(tmp_path, "- id: [unclosed\n", "broken.yaml")
    with pytest.raises(InvalidInput, match="not valid YAML"):
        load_corpus(tmp_path)
    (tmp_path / "broken.yaml").write_bytes("- id: 业主".encode("gbk"))
    with pytest.raises(InvalidInput, match="not UTF-8"):
        load_corpus(tmp_path)
    with pytest.raises(InvalidInput, match="does not exist"):
        load_corpus(tmp_path / "nope")
    (tmp_path / "broken.yaml").unlink()
    with pytest.raises(InvalidInput, match="No entries"):
        load_corpus(tmp_path)


def test_content_hash_tracks_content(corpus_dir):
    entry = load_corpus(corpus_dir)[0]
    same = Entry.model_validate(entry.model_dump())
    changed = Entry.model_validate({**entry.model_dump(), "guidance": entry.guidance + "补充一句。"})
    assert same.content_hash() == entry.content_hash()
    assert changed.content_hash() != entry.content_hash()
    assert entry.title in entry.index_text() and entry.phrasings[1] in entry.index_text()
