# Arkiv — make run / make test on a fresh machine.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
export ARKIV_HOME ?= $(CURDIR)/.arkiv
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test lint bench quality stress install ingest clean

$(BIN)/arkiv: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

install: $(BIN)/arkiv

ingest: install
	$(BIN)/arkiv index --registry corpus corpus

# Plain http on this machine: session cookies without the Secure flag (never in production).
run: ingest
	ARKIV_INSECURE_COOKIES=1 $(BIN)/arkiv serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/ruff check arkiv archive indexer web tests bench
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check arkiv archive indexer web tests bench

bench: install
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench

quality: install
	$(BIN)/python -m bench.quality

stress: install
	$(BIN)/python -m pytest -q -m slow --run-slow

clean:
	rm -rf $(VENV) .arkiv tests/artifacts
