"""Running suites end to end on the real guardrail engine: crashes, reports, baseline, --min-pass,
and a guardrail rule broken on purpose."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import yaml

from agent.settings import PROJECT_ROOT, Settings

STRICT = """
suite: guard_strict
kind: guardrail
cases:
  - {id: bp1, stage: act, text: "这个问题您还是去找开发商吧。", expected: [buck_passing]}
  - {id: ok1, stage: act, text: "我已转交工程部王主管,他两小时内给您回电,我也会全程跟进。", expected: []}
  - {id: pii1, stage: act, text: "占您车位的业主电话是13966668888,我们已经打电话请他挪车。", expected: [pii_leak]}
"""

GATED = """
suite: guard_gated
kind: guardrail
thresholds: {recall: 0.4, fp_rate: 0.5}
cases:
  - {id: hit, stage: act, text: "这个问题您还是去找开发商吧。", expected: [buck_passing]}
  - {id: miss, stage: thank, text: "好的。", expected: [grudging_apology]}
"""


def test_strict_suite_passes_and_writes_every_report(write_suite, run, tmp_path):
    path = write_suite("strict.yaml", STRICT)
    report, junit = tmp_path / "report", tmp_path / "junit.xml"
    code, out = run([path], report=report, junit=junit)
    assert code == 0, out
    assert "guard_strict" in out and "PASS" in out
    document = json.loads((report / "results.json").read_text(encoding="utf-8"))
    assert document["summary"]["cases"] == 3 and document["suites"][0]["metrics"]["recall"] == 1.0
    root = ET.parse(junit).getroot()
    assert root.get("tests") == "3" and root.get("failures") == "0" and root.get("errors") == "0"
    assert len(root.findall(".//testcase")) == 3


def test_a_crashing_case_is_an_error_and_the_run_continues(write_suite, run, tmp_path, monkeypatch):
    too_long = "您好" * 1200  # over max_reply_chars: the checker raises InvalidInput
    path = write_suite("crash.yaml", STRICT + f'  - {{id: long, stage: act, text: "{too_long}", expected: []}}\n'
                       '  - {id: boom, stage: act, text: "好的", expected: []}\n'
                       '  - {id: after, stage: act, text: "好的,我马上安排。", expected: []}\n')
    from evals.kinds.guardrail import GuardrailRunner

    real = GuardrailRunner.run_case

    def flaky(self, suite, case):
        if case["id"] == "boom":
            raise RuntimeError("checker exploded")
        return real(self, suite, case)

    monkeypatch.setattr(GuardrailRunner, "run_case", flaky)
    junit = tmp_path / "junit.xml"
    code, out = run([path], junit=junit, report=tmp_path / "r")
    assert code == 1
    assert "RuntimeError: checker exploded" in out and "2000" in out  # both errors, readable
    document = json.loads((tmp_path / "r" / "results.json").read_text(encoding="utf-8"))
    statuses = {c["case_id"]: c["status"] for c in document["suites"][0]["cases"]}
    assert statuses == {"bp1": "passed", "ok1": "passed", "pii1": "passed", "long": "error", "boom": "error",
                        "after": "passed"}
    root = ET.parse(junit).getroot()
    assert root.get("tests") == "6" and root.get("errors") == "2" and root.get("failures") == "0"


def test_junit_counts_every_case_and_threshold(write_suite, run, tmp_path):
    strict, gated = write_suite("s.yaml", STRICT), write_suite("g.yaml", GATED)
    junit = tmp_path / "j.xml"
    run([strict, gated], junit=junit)
    root = ET.parse(junit).getroot()
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert suites["guard_strict"].get("tests") == "3"
    assert suites["guard_gated"].get("tests") == "4"  # 2 cases + 2 thresholds
    assert root.get("tests") == "7"
    names = [c.get("name") for c in root.iter("testcase")]
    assert {"bp1", "ok1", "pii1", "hit", "miss"} <= set(names)


def test_html_report_is_self_contained_and_escaped(write_suite, run, tmp_path):
    path = write_suite("h.yaml", STRICT.replace("guard_strict", "guard_html") +
                       '  - {id: esc, stage: act, text: "<script>x</script>这事您找开发商吧", expected: []}\n')
    report = tmp_path / "report"
    code, _ = run([path], report=report)
    assert code == 1
    html = (report / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.IGNORECASE)
    assert "<script" not in html.lower() and "@import" not in html and "url(" not in html
    assert "<svg" in html and '<mark class="v-buck_passing"' in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html  # the case's own text is escaped
    assert "expected 期望" in html and "actual 实际" in html


def test_gated_suite_tolerates_misses_but_baseline_catches_the_regression(write_suite, run, tmp_path):
    path = write_suite("g.yaml", GATED)
    code, out = run([path], report=tmp_path / "now")
    assert code == 0, out  # recall 0.5 ≥ 0.4: the miss is tolerated
    assert "~ guard_gated · miss" in out
    baseline = json.loads((tmp_path / "now" / "results.json").read_text(encoding="utf-8"))
    for case in baseline["suites"][0]["cases"]:
        case["status"] = "passed"  # a baseline in which every case passed …
    baseline["suites"][0]["metrics"]["recall"] = 1.0  # … and recall was perfect
    base_path = tmp_path / "baseline.json"
    base_path.write_text(json.dumps(baseline), encoding="utf-8")
    code, out = run([path], baseline=base_path, report=tmp_path / "again")
    assert code == 1
    assert "regressions" in out and "guard_gated · recall: 1.000 → 0.500" in out and "miss: passed → tolerated" in out
    assert "Regressions vs baseline" in (tmp_path / "again" / "index.html").read_text(encoding="utf-8")
    same, _ = run([path], baseline=tmp_path / "now" / "results.json")
    assert same == 0  # the same results are no regression


def test_min_pass(write_suite, run):
    path = write_suite("g.yaml", GATED)
    assert run([path], min_pass=0.4)[0] == 0
    code, out = run([path], min_pass=0.9)
    assert code == 1 and "--min-pass" in out


def test_bad_options_are_bilingual_errors(write_suite, run, tmp_path):
    from agent.errors import InvalidInput

    path = write_suite("g.yaml", GATED)
    with pytest.raises(InvalidInput, match="0 到 1"):
        run([path], min_pass=1.5)
    with pytest.raises(InvalidInput, match="--model"):
        run([path], record=True)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InvalidInput, match="no suite files"):
        run([empty])
    (tmp_path / "junk.json").write_text("not json", encoding="utf-8")
    with pytest.raises(InvalidInput, match="baseline"):
        run([path], baseline=tmp_path / "junk.json")


def test_cli_exit_codes(write_suite, tmp_path):
    from typer.testing import CliRunner

    from cli.main import app

    good, bad = write_suite("s.yaml", STRICT), write_suite("b.yaml", "suite: b\nkind: nope\n")
    runner = CliRunner()
    assert runner.invoke(app, ["eval", str(good)]).exit_code == 0
    result = runner.invoke(app, ["eval", str(good), str(bad)])
    assert result.exit_code == 2 and "b.yaml:2:" in result.output
    result = runner.invoke(app, ["eval", str(good), "--min-pass", "7"])
    assert result.exit_code == 2 and "--min-pass" in result.output


def _break_buck_passing(tmp_path: Path) -> Path:
    """A copy of guardrails/ whose buck_passing rules can never match and whose learned layer no
    longer reports buck_passing (it would catch the case the rules now miss)."""
    broken = tmp_path / "guardrails-broken"
    shutil.copytree(PROJECT_ROOT / "guardrails", broken)
    policy_path = broken / "policy.yaml"
    policy = yaml.safe_load(policy_path.read_text(encoding="utf-8"))
    touched = 0
    for rule in policy["rules"]:
        if rule["category"] == "buck_passing":
            rule["patterns"] = ["(?!x)x"]  # its examples stay: they are checked by the guard's own tests
            touched += 1
    assert touched
    policy["learned"]["sentence"] = [c for c in policy["learned"]["sentence"] if c != "buck_passing"]
    policy_path.write_text(yaml.safe_dump(policy, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return broken


def test_breaking_a_guardrail_rule_fails_the_run_with_a_readable_diff(write_suite, run, tmp_path):
    path = write_suite("strict.yaml", STRICT)
    broken = Settings(data_dir=tmp_path / "data", guardrails_dir=_break_buck_passing(tmp_path))
    code, out = run([path], settings=broken, junit=tmp_path / "j.xml")
    assert code == 1
    assert "✗ guard_strict · bp1" in out
    assert "漏检 missed: buck_passing" in out
    assert 'expected 期望: ["buck_passing"]' in out and "actual   实际: []" in out
    assert "text 文本: 这个问题您还是去找开发商吧。" in out
    failure = ET.parse(tmp_path / "j.xml").getroot().find(".//testcase[@name='bp1']/failure")
    assert failure is not None and "buck_passing" in failure.text


def test_console_entry_point_runs_eval(write_suite, monkeypatch):
    """`wuye eval FILE` through the real console-script entry (cli.main:main), not just the app."""
    from cli import main as cli

    path = write_suite("s.yaml", STRICT)
    monkeypatch.setattr("sys.argv", ["wuye", "eval", str(path)])
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 0


def test_unwritable_report_is_a_bilingual_error(write_suite, run, tmp_path):
    from agent.errors import InvalidInput

    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(InvalidInput, match="cannot write the report"):
        run([write_suite("s.yaml", STRICT)], report=blocker / "report")
