# The two commands of the README: `make build` and `make test`. Each sets up what it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# npm's own record of what `npm ci` installed into node_modules/: the site checks' validators.
NODE_STAMP := node_modules/.package-lock.json

.PHONY: build test check bench setup compiled system-build system-test lint clean

build: system-build compiled
	$(BIN)/pressgen build

# Timings against raw WeasyPrint (docs/performance.md); e.g. make bench BENCH_ARGS="--sizes 5 --naive-sample 2".
bench: system-build compiled
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# The property tests (hypothesis) run with a fresh seed each time, printed first: `make test
# SEED=N` replays a run.
ifndef SEED
SEED := $(shell od -An -N4 -tu4 /dev/urandom | tr -d ' ')
endif

test: system-test lint compiled $(NODE_STAMP)
	@echo "hypothesis seed: $(SEED) (make test SEED=$(SEED) runs the property tests the same way again)"
	$(BIN)/python -m pytest -q --hypothesis-seed=$(SEED)

# While developing: lint and every test but the slow ones and those that start a browser (a few
# minutes instead of a quarter of an hour). `make test` runs everything, as CI does.
check: system-build lint compiled
	$(BIN)/python -m pytest -q -m "not slow and not browser"

# Style, types (src/ and tests/), and every import declared: src/ may import only the runtime
# dependencies; tests/ and bench/ also the test extra (their local modules are first-party).
DEPTRY_TESTS := --optional-dependencies-dev-groups lint --ignore DEP002 \
	$(foreach module,pressgen conftest helpers libretranslate mailserver test_send test_site_quality measure baselines corpus serve_loop,-kf $(module))

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/deptry src
	$(BIN)/deptry tests bench --exclude tests/data $(DEPTRY_TESTS)

setup: compiled

# pressgen's own modules, compiled once (only those changed since): an editable install leaves
# them to each run, and where PYTHONDONTWRITEBYTECODE is set (as in many containers) every
# command would compile them again, 0.1 s before a build starts.
compiled: $(STAMP)
	@$(BIN)/python -m compileall -q src

system-build:
	@scripts/system-deps build

system-test:
	@scripts/system-deps test

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[test,lint]'
	@touch $@

# vnu-jar, axe-core and Lighthouse for tests/test_site_quality.py, exactly as package-lock.json pins
# them. Install scripts are not run: vnu-jar's would download a Java runtime (the system's java is
# used), and Lighthouse runs Debian's Chromium (CHROME_PATH), never a browser of its own.
$(NODE_STAMP): package-lock.json | system-test
	npm ci --no-audit --no-fund --ignore-scripts
	@touch $@

clean:
	rm -rf $(VENV) node_modules public .public.previous preview .preview.previous .pytest_cache .mypy_cache .ruff_cache
