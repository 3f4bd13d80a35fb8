# BertMask: `make run` sets everything up and opens the app; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONSTRAINTS := packaging/constraints-dev.txt
PYTEST_ARGS ?=

.PHONY: setup run test bench quality soak clean package package-test install-desktop lint bench-package

# torch is pinned (CPU build, installs locally) so no multi-GB CUDA download happens.
$(STAMP): pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e ".[test]"
	bash packaging/ensure-qt-libs.sh $(BIN)/python
	touch $(STAMP)

setup: $(STAMP)

# The display's Qt libraries are checked on every run (a few ms): setup may have been
# done headless (make test), and the desktop's xcb/wayland plugin needs more.
run: setup
	bash packaging/ensure-qt-libs.sh $(BIN)/python
	$(BIN)/python -m bertmask_gui $(ARGS)

test: setup
	$(BIN)/lint-imports
	$(MAKE) --no-print-directory lint
	QT_QPA_PLATFORM=offscreen HF_HUB_OFFLINE=1 $(BIN)/python -m pytest $(PYTEST_ARGS)

# 2,000 predictions with random edits: RSS growth and thread count (MODEL=DIR optional).
soak: setup
	QT_QPA_PLATFORM=offscreen HF_HUB_OFFLINE=1 $(BIN)/python benchmarks/soak.py --requests 2000 $(if $(MODEL),--model $(MODEL))

# Engine vs transformers' pipeline on a bert-base-shaped model; writes docs/PERFORMANCE.md (~15 min);
# then the cost of choices, explain and score_words (printed, ~3 min).
bench: setup
	QT_QPA_PLATFORM=offscreen HF_HUB_OFFLINE=1 $(BIN)/python benchmarks/bench.py $(BENCH_ARGS)
	QT_QPA_PLATFORM=offscreen HF_HUB_OFFLINE=1 $(BIN)/python benchmarks/bench_explore.py
	$(BIN)/python benchmarks/bench_package.py
	HF_HUB_OFFLINE=1 $(BIN)/python benchmarks/bench_check.py
	QT_QPA_PLATFORM=offscreen HF_HUB_OFFLINE=1 $(BIN)/python benchmarks/bench_ort.py

# Word quality on held-out text with the real small model: docs/QUALITY.md, docs/quality.json,
# docs/quality/*.png (520 words: ~4 min on a quiet 2-core machine since the faster search of issue 13, 33 min before on a busy one; QUALITY_ARGS=--quick: 16 words, for development).
quality: setup
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e ".[quality]"
	@if [ ! -e /usr/share/wordnet/data.noun ]; then \
		if [ "$$(id -u)" = 0 ]; then apt-get install -y wordnet-base; \
		else echo "WordNet is missing: run  sudo apt-get install -y wordnet-base  and then make quality again."; exit 2; fi; \
	fi
	HF_HUB_OFFLINE=1 $(BIN)/python -W ignore benchmarks/quality.py $(QUALITY_ARGS)

clean:
	rm -rf $(VENV) build dist .pytest_cache

# The desktop app (PyInstaller, one folder) in dist/BertMask; see packaging/README.md.
# make package BUNDLE_MODEL=path/to/model-folder   ships that model inside the app.
BUNDLE_MODEL ?=
PACKAGE_ARGS ?=
package: setup
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e ".[package]"
	$(BIN)/python packaging/build.py $(if $(BUNDLE_MODEL),--bundle-model "$(BUNDLE_MODEL)") $(PACKAGE_ARGS)

# Builds the app with a tiny model inside and runs it: --predict, --self-test, the GUI; then
# installs its .deb with apt, starts the menu entry's Exec under Xvfb and removes it.
package-test: setup
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e ".[package]"
	bash packaging/deb/ensure-test-tools.sh
	QT_QPA_PLATFORM=offscreen HF_HUB_OFFLINE=1 BERTMASK_PACKAGE_TEST=1 $(BIN)/python -m pytest -m slow tests/test_packaging.py $(PYTEST_ARGS)

# Adds BertMask (the built app in dist/BertMask) to the Linux desktop menu.
install-desktop:
	bash resources/install-desktop.sh $(APP)

# The GitHub workflows: GitHub's schema (check-jsonschema) and zizmor's security audits,
# offline, nothing of medium severity or more. Tools pinned in packaging/constraints-dev.txt.
LINT_STAMP := $(VENV)/.lint-tools
$(LINT_STAMP): $(STAMP) $(CONSTRAINTS)
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e ".[lint]"
	touch $(LINT_STAMP)

lint: $(LINT_STAMP)
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(BIN)/zizmor --offline --min-severity medium --no-progress .github/workflows

# The packaged app as a writer meets it (after make package BUNDLE_MODEL=...): executable →
# window and → first candidates, beside make run's; installed size (benchmarks/bench_package.py).
bench-package: setup
	QT_QPA_PLATFORM=offscreen HF_HUB_OFFLINE=1 $(BIN)/python benchmarks/bench_package.py $(BENCH_PACKAGE_ARGS)
# How many bugs would the engine's tests catch? A seeded sample of mutmut's mutants of
# engine/ and lexicon/ (80 per module group), the score per group and every survivor in
# docs/MUTATION.md. ~35 min on a busy 2-core machine; MUTATION_ARGS="--per-group 20" for a
# quick look. Not part of make test or CI.
.PHONY: mutation
mutation: setup
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e ".[mutation]"
	QT_QPA_PLATFORM=offscreen HF_HUB_OFFLINE=1 $(BIN)/python benchmarks/mutation.py $(MUTATION_ARGS)
