# wuye-copilot developer commands. `make help` lists them.
VENV   := .venv
PY     := $(VENV)/bin/python
WUYE   := $(VENV)/bin/wuye
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install run test test-fast lint deploy-check eval bench clean

help: ## list every developer command
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP) ## create .venv at the repo root and install the project (editable, with dev deps)

run: install ## serve the API on the embedded defaults (SQLite, embedded Chroma, offline drafter)
	$(WUYE) serve

test: install ## run every test, then the shipped eval suites
	$(PY) -m pytest
	$(WUYE) eval --report data/eval-report --junit data/eval-junit.xml

test-fast: install ## unit tests only (no browser, no servers)
	$(PY) -m pytest -m "not browser and not chroma_server and not slow"

lint: install ## ruff lint + format check
	$(VENV)/bin/ruff check agent api evals tests bench

deploy-check: install ## validate compose.yaml (Compose schema + `docker-compose config`) and lint the Dockerfile
	$(VENV)/bin/check-jsonschema --schemafile deploy/compose-spec.json compose.yaml
	POSTGRES_PASSWORD=check WUYE_SECRET_KEY=check-only-0123456789 $(PY) -c 'import compose, pathlib, subprocess, sys; \
	  sys.exit(subprocess.call([str(pathlib.Path(compose.__file__).parent / "docker-compose"), "--env-file", \
	  "deploy/env.example", "config", "--quiet"]))'
	$(VENV)/bin/hadolint Dockerfile

eval: install ## run every shipped eval suite with an HTML report in data/eval-report
	$(WUYE) eval --report data/eval-report --junit data/eval-junit.xml

bench: install ## run every benchmark in bench/ (numbers go in the README)
	for f in bench/bench_*.py; do $(PY) $$f || exit 1; done

clean: ## remove data/ (index, databases, reports)
	rm -rf data
