# Two commands: `make run` (dashboard on demo data) and `make test` (the whole suite).
PY      := .venv/bin/python
DB      ?= data/sla.duckdb
PORT    ?= 8501
ADDRESS ?= 127.0.0.1

.PHONY: run test lint demo bench clean

.venv/.installed: requirements.txt
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(DB): | .venv/.installed
	$(PY) -m metrics demo --db $(DB)

demo: .venv/.installed
	$(PY) -m metrics demo --db $(DB)

run: .venv/.installed $(DB)
	SLA_DB=$(DB) $(PY) -m streamlit run dashboard.py --server.address $(ADDRESS) --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

lint: .venv/.installed
	$(PY) -m ruff check .

test: .venv/.installed
	$(PY) -m ruff check .
	$(PY) -m pytest -q

bench: .venv/.installed
	$(PY) -m metrics bench --leads $${LEADS:-1000000}

clean:
	rm -f data/*.duckdb data/*.duckdb.wal
