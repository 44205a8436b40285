# `make run` (dashboard on demo data), `make test` (the whole suite) and `make test-fast` (no browser, no AppTest,
# no deck rendering, nothing slow: the loop while editing).
PY      := .venv/bin/python
DB      ?= data/sla.duckdb
PORT    ?= 8501
ADDRESS ?= 127.0.0.1
# hostnames the server answers to (DNS rebinding guard, README "Security"); a deployment adds its own name
ALLOWED_HOSTS ?= localhost 127.0.0.1

.PHONY: run test test-fast lint demo bench clean

.venv/.installed: requirements.txt
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

# The tests also need requirements-dev.txt (scipy, statsmodels: reference implementations the interval tests
# check against; the dashboard never imports them).
.venv/.dev-installed: requirements-dev.txt .venv/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(DB): | .venv/.installed
	$(PY) -m sla_review demo --db $(DB)

demo: .venv/.installed
	$(PY) -m sla_review demo --db $(DB)

run: .venv/.installed $(DB)
	SLA_DB=$(DB) STREAMLIT_SERVER_ALLOWED_HOSTS="$(ALLOWED_HOSTS)" $(PY) -m streamlit run server.py \
		--server.address $(ADDRESS) --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

lint: .venv/.installed
	$(PY) -m ruff check .

# The public datasets are read from $(SLA_DATASETS) (.ci/run sets it to ../shared/datasets); without it the
# tests that need them are skipped and say why.
test: .venv/.dev-installed
	$(PY) -m ruff check .
	$(PY) -m pytest -q

test-fast: .venv/.dev-installed
	$(PY) -m ruff check .
	$(PY) -m pytest -q -m "not app and not e2e and not office and not slow"

bench: .venv/.installed
	$(PY) -m sla_review bench --leads $${LEADS:-1000000}

clean:
	rm -f data/*.duckdb data/*.duckdb.wal
