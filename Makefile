# Two entry points for a fresh machine: `make demo` and `make test`.
# Each creates the virtual environment it needs in .venv (python3 >= 3.10 required).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint docs bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[dev,docs,plot]"
	$(BIN)/pip install --quiet -e ".[audio]" && $(BIN)/pip install --quiet --no-deps demucs==4.1.0 basic-pitch==0.4.0
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/harmonia demo
	$(BIN)/harmonia generate "upbeat indie rock song about summer" --seed 1 -o out/demo-song

test: $(STAMP)
	$(BIN)/ruff check .
	HYPOTHESIS_PROFILE=ci $(BIN)/python -m pytest -n 2 -q
	$(BIN)/sphinx-build -W -q -b html docs docs/_build/html

docs: $(STAMP)
	$(BIN)/sphinx-build -W -b html docs docs/_build/html

bench: $(STAMP)
	for f in benchmarks/bench_*.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) docs/_build .pytest_cache
