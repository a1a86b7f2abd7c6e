# The README's two commands are `make serve` and `make test`. Each creates .venv the first time
# and installs what it needs into it, so a fresh machine needs only Python 3.11+ and pip.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APP ?= examples.notes:app
BIND ?= 127.0.0.1:8000

.PHONY: serve test docs system-deps node-deps autobahn-env autobahn lint mutate bench bench-router bench-injection bench-binding bench-floor bench-features bench-writer bench-writer-served bench-frameworks bench-load bench-soak bench-slow bench-websocket bench-hub bench-cluster bench-recovery bench-idle bench-sessions bench-servers clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

$(VENV)/.installed-bench: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test,bench]'
	touch $@

serve: $(VENV)/.installed
	WTF_NOTES_DB=$${WTF_NOTES_DB:-notes.db} exec $(BIN)/wtf serve $(APP) --bind $(BIND) $(SERVE_ARGS)

# The documentation site (docs/, mkdocs.yml) on 127.0.0.1:8001, rebuilt on save; `make test`
# builds it with --strict (tests/test_docs.py).
docs: $(VENV)/.installed-test
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --dev-addr 127.0.0.1:8001

lint: $(VENV)/.installed-test
	$(BIN)/ruff check wtf tests examples bench
	$(BIN)/ruff format --check wtf tests examples bench
	$(BIN)/mypy --strict wtf

# System packages the tests need (CI runs as root): a real redis-server for the Redis parts,
# nginx for the test of examples/deploy/nginx.conf, and Debian's chromium for the tests that run
# in a browser (driven by Playwright, which is told where it is: no browser download).
system-deps:
	@command -v redis-server >/dev/null || (apt-get update -qq && apt-get install -y -qq redis-server)
	@command -v nginx >/dev/null || (apt-get update -qq && apt-get install -y -qq nginx)
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

# TypeScript's compiler for the test of the types `wtf typescript` writes, installed from npm into
# .venv/node when the machine has node and npm (the test is skipped, saying so, when it has not).
node-deps:
	@if [ -x .venv/node/node_modules/.bin/tsc ]; then :; \
	elif command -v npm >/dev/null; then \
	  npm install --silent --no-audit --no-fund --prefix .venv/node typescript@5 >/dev/null; \
	else echo "no npm on this machine: the TypeScript test is skipped"; fi

# Autobahn|Testsuite (wstest, the WebSocket conformance suite) is Python 2 code: built into
# .venv-autobahn when the machine has a Python 2.7 (pyenv keeps one here); its test is skipped,
# saying so, when there is none.
AUTOBAHN_PY ?= $(shell for p in $(HOME)/.pyenv/versions/2.7*/bin/python2.7 $$(command -v python2.7); do "$$p" -c '' 2>/dev/null && echo "$$p" && break; done)

autobahn-env:
	@if [ -x .venv-autobahn/bin/wstest ]; then :; \
	elif [ -n "$(AUTOBAHN_PY)" ]; then \
	  echo "Installing Autobahn|Testsuite into .venv-autobahn with $(AUTOBAHN_PY)"; \
	  $(AUTOBAHN_PY) -m virtualenv --version >/dev/null 2>&1 || \
	    $(AUTOBAHN_PY) -m pip install -q --disable-pip-version-check 'virtualenv==20.15.1'; \
	  $(AUTOBAHN_PY) -m virtualenv -q .venv-autobahn && \
	    .venv-autobahn/bin/pip install -q --disable-pip-version-check autobahntestsuite 2>&1 | \
	    grep -v "is ignored: it is neither" || true; \
	  [ -x .venv-autobahn/bin/wstest ]; \
	else echo "Autobahn|Testsuite needs Python 2.7: this machine has none; its test is skipped"; fi

# The whole suite on .venv's Python, then on every other CPython >= 3.11 the machine has
# (tests/other_pythons.sh says which it ran).
test: lint system-deps node-deps autobahn-env
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	PYTEST_ARGS="$(PYTEST_ARGS)" tests/other_pythons.sh

# Every one of Autobahn's 517 cases on gthread and gevent (about 12 minutes each).
autobahn: $(VENV)/.installed-test autobahn-env
	WTF_AUTOBAHN=all $(BIN)/python -m pytest -v tests/realtime/test_autobahn.py

# Planted bugs (tests/mutate.py): does the suite catch them? Opt-in; about ten minutes.
mutate: $(VENV)/.installed-test
	$(BIN)/python -m tests.mutate $(MUTATE_ARGS)

bench: bench-router bench-injection bench-binding bench-floor bench-features bench-writer bench-frameworks

bench-router: $(VENV)/.installed-bench
	$(BIN)/python -m bench.router $(BENCH_ARGS)

bench-injection: $(VENV)/.installed-bench
	$(BIN)/python -m bench.injection $(BENCH_ARGS)

bench-binding: $(VENV)/.installed-bench
	$(BIN)/python -m bench.binding $(BENCH_ARGS)

bench-frameworks: $(VENV)/.installed-bench
	$(BIN)/python -m bench.frameworks $(BENCH_ARGS)

bench-floor: $(VENV)/.installed-bench
	$(BIN)/python -m bench.floor $(BENCH_ARGS)

bench-features: $(VENV)/.installed-bench
	$(BIN)/python -m bench.features $(BENCH_ARGS)

# Loads gunicorn on 127.0.0.1 with wrk (Debian's package, installed when missing; needs root).
bench-load: $(VENV)/.installed-bench
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m bench.load $(BENCH_ARGS)

# Soak: the notes app under gunicorn with wrk for SOAK_SECONDS (default 20); not in make test.
bench-soak: $(VENV)/.installed-bench
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m bench.soak

# Slow clients (slowloris, silent connections) against wtf serve's settings, and nginx in front
# (Debian's package, installed when missing; needs root). Not in make test: it takes minutes.
bench-servers: $(VENV)/.installed-bench
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python -m bench.servers $(BENCH_ARGS)

bench-sessions: $(VENV)/.installed-bench system-deps
	$(BIN)/python -m bench.sessions $(BENCH_ARGS)

bench-hub: $(VENV)/.installed-bench
	$(BIN)/python -m bench.hub $(BENCH_ARGS)

bench-writer: $(VENV)/.installed-bench
	$(BIN)/python -m bench.writer $(BENCH_ARGS)

# examples.hello against a bare callable, both served by granian on 127.0.0.1 and loaded by wrk
# (Debian's package, installed when missing; needs root). Not in make bench: it takes a minute.
bench-writer-served: $(VENV)/.installed-bench
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python -m bench.writer --served $(BENCH_ARGS)

bench-websocket: $(VENV)/.installed-bench
	$(BIN)/python -m bench.websocket $(BENCH_ARGS)

bench-slow: $(VENV)/.installed
	command -v nginx >/dev/null || (apt-get update -qq && apt-get install -y -qq nginx)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m bench.slow_clients $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
