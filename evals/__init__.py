"""Offline eval suites and the `wuye eval` runner (see docs/evals.md).

Layout: `loader` (YAML + JSON schema, file:line errors), `kinds/` (one runner per kind of case:
drafting, guardrail, retrieval), `mockllm` (respx-served model), `record` (live recording),
`runner` (progress, crash isolation, thresholds), `parallel` (`--jobs` worker processes),
`results` (JSON + baseline),
`report/` (terminal, JUnit, HTML), `cli` (`wuye eval`).
"""
