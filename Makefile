# Each target installs what it needs into .venv by itself; the stamps make a second run fast.
# --no-cache-dir: a fresh machine gains nothing from pip's wheel cache, and on a nearly
# full disk the cached copies (~250 MB) are what ran the install out of space.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUNTIME_STAMP := $(VENV)/.stamp-runtime
DEV_STAMP := $(VENV)/.stamp-dev
EXAMPLE := examples/cannery-example-plugin

.PHONY: quickstart test bench warmup clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --no-cache-dir --upgrade pip

$(RUNTIME_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q --no-cache-dir -e '.[csv]'
	touch $@

$(DEV_STAMP): pyproject.toml $(EXAMPLE)/pyproject.toml | $(PY)
	$(PY) -m pip install -q --no-cache-dir -e '.[dev,tensorboard]' -e $(EXAMPLE)
	touch $@ $(RUNTIME_STAMP)

quickstart: $(RUNTIME_STAMP)
	$(VENV)/bin/cannery quickstart

warmup: $(RUNTIME_STAMP)
	$(VENV)/bin/cannery warmup

test: $(DEV_STAMP)
	$(PY) -m pytest -q

bench: $(DEV_STAMP)
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) build *.egg-info
