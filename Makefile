# BertMask: `make run` sets everything up and opens the app; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONSTRAINTS := packaging/constraints-dev.txt
PYTEST_ARGS ?=

.PHONY: setup run test soak clean

# torch is pinned (CPU build, installs locally) so no multi-GB CUDA download happens.
$(STAMP): pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e ".[test]"
	bash packaging/ensure-qt-libs.sh $(BIN)/python
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/python -m bertmask_gui $(ARGS)

test: setup
	QT_QPA_PLATFORM=offscreen HF_HUB_OFFLINE=1 $(BIN)/python -m pytest $(PYTEST_ARGS)

# 2,000 predictions with random edits: RSS growth and thread count (MODEL=DIR optional).
soak: setup
	QT_QPA_PLATFORM=offscreen HF_HUB_OFFLINE=1 $(BIN)/python benchmarks/soak.py --requests 2000 $(if $(MODEL),--model $(MODEL))

clean:
	rm -rf $(VENV) build dist .pytest_cache
