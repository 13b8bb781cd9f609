# One command to set up and start the app, one to set up and run every test.
# Both create .venv (Python 3.12+) and install the pinned requirements first.
HOST ?= 127.0.0.1
PORT ?= 8501

.PHONY: setup app test test-fast bench lint clean

setup:
	@scripts/setup.sh

app: setup
	.venv/bin/python -m streamlit run app.py --server.address $(HOST) --server.port $(PORT)

test: setup
	@scripts/ensure-browser.sh
	.venv/bin/python -m ruff check .
	.venv/bin/python -m pytest -n 2 --dist loadfile --durations=25

test-fast: setup
	.venv/bin/python -m pytest -m "not slow and not browser" -n 2

bench: setup
	.venv/bin/python bench/run.py

lint: setup
	.venv/bin/python -m ruff check .

clean:
	rm -rf .venv .pytest_cache .hypothesis bench/results.json
