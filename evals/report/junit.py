"""JUnit XML: one <testsuite> per suite, one <testcase> per case (failures and errors with the
expected-vs-actual text); a threshold-gated suite adds one <testcase> per threshold."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

from evals.model import LoadIssue, SuiteResult
from evals.report.text import case_lines


def build(results: list[SuiteResult], issues: list[LoadIssue]) -> ET.ElementTree:
    root = ET.Element("testsuites", name="wuye eval")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for suite in results:
        node = ET.SubElement(root, "testsuite", name=suite.suite, file=suite.path, time=f"{suite.seconds:.3f}")
        counts = {"tests": 0, "failures": 0, "errors": 0}
        for case in suite.cases:
            counts["tests"] += 1
            item = ET.SubElement(node, "testcase", classname=f"{suite.kind}.{suite.suite}", name=case.case_id,
                                 file=case.file, line=str(case.line), time=f"{case.seconds:.4f}")
            text = "\n".join(case_lines(case))
            if case.status == "failed":
                counts["failures"] += 1
                first = case.mismatches[0].check if case.mismatches else "failed"
                ET.SubElement(item, "failure", message=f"expectation failed: {first}").text = text
            elif case.status == "error":
                counts["errors"] += 1
                ET.SubElement(item, "error", message=case.error or "error").text = text
            elif case.status == "tolerated":
                ET.SubElement(item, "system-out").text = "tolerated by the suite thresholds\n" + text
        for check in suite.thresholds:
            counts["tests"] += 1
            item = ET.SubElement(node, "testcase", classname=f"{suite.kind}.{suite.suite}.thresholds",
                                 name=f"{check.metric} {check.bound} {check.limit}")
            if not check.passed:
                counts["failures"] += 1
                ET.SubElement(item, "failure", message=f"{check.metric}={check.actual} not {check.bound} {check.limit}")
        for key, value in counts.items():
            node.set(key, str(value))
            totals[key] += value
    if issues:
        node = ET.SubElement(root, "testsuite", name="suite-files", tests=str(len(issues)),
                             failures="0", errors=str(len(issues)))
        for issue in issues:
            item = ET.SubElement(node, "testcase", classname="suite-files", name=f"{issue.path.name}:{issue.line}",
                                 file=str(issue.path), line=str(issue.line))
            ET.SubElement(item, "error", message="invalid suite file").text = str(issue)
        totals["tests"] += len(issues)
        totals["errors"] += len(issues)
    for key, value in totals.items():
        root.set(key, str(value))
    return ET.ElementTree(root)


def write_junit(results: list[SuiteResult], issues: list[LoadIssue], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tree = build(results, issues)
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)
