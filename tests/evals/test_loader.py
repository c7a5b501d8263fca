"""Suite files: schema validation with file:line:field, bad entries skipped, others still run."""

from __future__ import annotations

from collections import Counter

from evals.loader import SUITES_DIR, load_suite, load_suites

GOOD = """
suite: small_guard
kind: guardrail
cases:
  - {id: g1, stage: act, text: "我已经派维修师傅今天下午三点前上门,修好后给您回电。", expected: []}
"""


def test_invalid_field_is_reported_with_file_line_and_field(write_suite, settings):
    path = write_suite("bad.yaml", """
        suite: bad_one
        kind: drafting
        cases:
          - id: d1
            complaint: 电梯坏了
            expect:
              status: done
        """)
    suite, issues = load_suite(path, settings)
    assert suite is None  # no runnable case left
    issue = issues[0]
    assert issue.path == path
    assert issue.line == 7  # the `status: done` line
    assert issue.field == "cases[0].expect.status"
    assert "done" in issue.message and "/" in issue.message  # bilingual


def test_yaml_syntax_error_names_the_line(write_suite, settings):
    path = write_suite("broken.yaml", "suite: x\nkind: guardrail\ncases:\n  - {id: a, stage: act\n")
    suite, issues = load_suite(path, settings)
    assert suite is None
    assert issues[0].path == path and issues[0].line >= 4
    assert "YAML" in issues[0].message


def test_unknown_top_level_field_and_missing_kind(write_suite, settings):
    path = write_suite("top.yaml", "suite: top\ncases: []\nflavour: sweet\n")
    _, issues = load_suite(path, settings)
    messages = " ".join(i.message for i in issues)
    assert "kind" in messages and "flavour" in messages


def test_a_bad_case_is_skipped_and_the_rest_of_the_suite_loads(write_suite, settings):
    path = write_suite("mixed.yaml", """
        suite: mixed
        kind: guardrail
        cases:
          - {id: ok1, stage: act, text: "好的", expected: []}
          - {id: bad, stage: lobby, text: "好的", expected: []}
          - {id: ok2, stage: thank, text: "谢谢", expected: [empty_thanks]}
        """)
    suite, issues = load_suite(path, settings)
    assert [c["id"] for c in suite.cases] == ["ok1", "ok2"]
    assert suite.case_lines == [4, 6]
    assert len(issues) == 1 and issues[0].line == 5 and issues[0].field == "cases[1].stage"


def test_unknown_technique_id_fails_loudly(write_suite, settings):
    path = write_suite("tech.yaml", """
        suite: tech
        kind: retrieval
        cases:
          - {id: q1, query: 电梯坏了, expected: [listen.no_such_entry]}
        """)
    suite, issues = load_suite(path, settings)
    assert suite is None
    assert issues[0].field == "cases[0].expected[0]" and "listen.no_such_entry" in issues[0].message


def test_duplicate_ids_and_both_cases_and_source(write_suite, settings):
    dup = write_suite("dup.yaml", """
        suite: dup
        kind: guardrail
        cases:
          - {id: a, stage: act, text: "好的", expected: []}
          - {id: a, stage: act, text: "好的", expected: []}
        """)
    suite, issues = load_suite(dup, settings)
    assert len(suite.cases) == 1 and "duplicate" in issues[0].message
    both = write_suite("both.yaml", "suite: both\nkind: guardrail\nsource: x.jsonl\ncases: [{id: a}]\n")
    assert "exactly one" in load_suite(both, settings)[1][0].message


def test_missing_source_file_is_an_issue(write_suite, settings):
    path = write_suite("src.yaml", "suite: src\nkind: guardrail\nsource: nowhere.jsonl\n")
    suite, issues = load_suite(path, settings)
    assert suite is None and issues[0].field == "source" and "nowhere.jsonl" in issues[0].message


def test_invalid_suite_reported_while_other_suites_still_run(write_suite, run):
    good = write_suite("good.yaml", GOOD)
    bad = write_suite("bad.yaml", "suite: bad\nkind: guardrail\ncases:\n  - {id: x, stage: act, text: 好的}\n")
    code, out = run([bad, good])
    assert code == 2  # invalid suite file
    assert f"{bad}:4:" in out and "expected" in out  # file, line and the missing field
    assert "small_guard" in out and "PASS" in out  # the valid suite ran


def test_shipped_suites_load_cleanly_and_cover_the_issue(settings):
    suites, issues = load_suites(None, settings)
    assert issues == []
    kinds = {s.kind for s in suites}
    assert kinds == {"drafting", "guardrail", "retrieval"}
    inline = [c for s in suites if s.kind == "drafting" and s.source is None for c in s.cases]
    assert len(inline) >= 60
    tags = Counter(t for c in inline for t in c.get("tags", []))
    for tag in ("injection", "pii", "reask", "flagged", "malformed_json", "fallback", "timeout",
                "traditional", "offline", "general", "important", "major"):
        assert tags[tag] >= 1, tag
    categories = {c["expect"].get("classification", {}).get("category") for c in inline}
    assert {"facilities", "environment", "security", "fees", "service_attitude", "neighbor", "other"} <= categories
    scripts = {c["expect"].get("script") for c in inline}
    assert {"simplified", "traditional"} <= scripts
    reasked = {c["id"].split("_", 2)[2] for c in inline if c["id"].startswith("reask_")}
    assert len(reasked) == 11  # every violation category is fixed by a re-ask once
    assert (SUITES_DIR / "guardrail_labelled.yaml").exists() and (SUITES_DIR / "retrieval_queries.yaml").exists()


def test_broken_corpus_fails_only_the_suites_that_need_it(write_suite, tmp_path):
    from agent.settings import Settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "bad.yaml").write_text("- id: Not A Valid Id\n  stage: nowhere\n", encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus)
    retrieval = write_suite("r.yaml", "suite: r\nkind: retrieval\ncases:\n  - {id: q, query: 电梯, expected: [a.b]}\n")
    guard = write_suite("g.yaml", GOOD)
    suites, issues = load_suites([retrieval, guard], settings)
    assert [s.name for s in suites] == ["small_guard"]
    assert issues[0].path == retrieval and "corpus" in issues[0].message
