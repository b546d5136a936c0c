# cwbill — every target sets itself up: a fresh machine needs nothing but `make demo` or `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench contract clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python scripts/demo.py

lint: $(STAMP)
	$(BIN)/ruff check reconciler tests scripts bench
	$(BIN)/ruff format --check reconciler tests scripts bench
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -n 2 -q

contract: $(STAMP)
	$(BIN)/python ../shared/contract/check.py .

bench: $(STAMP)
	$(BIN)/python -m bench $(if $(SCALE),--scales $(SCALE),)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
