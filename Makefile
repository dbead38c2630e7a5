# All targets create .venv themselves with the first working Python >= 3.12 found.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYENV_ROOT ?= $(shell pyenv root 2>/dev/null || echo $(HOME)/.pyenv)
# Each candidate is tried by running it: pyenv shims exist even when the version is not enabled.
PYTHON_CANDIDATES := python3.13 python3.12 \
	$(wildcard $(PYENV_ROOT)/versions/3.13*/bin/python3) $(wildcard $(PYENV_ROOT)/versions/3.12*/bin/python3) \
	$(wildcard /usr/local/bin/python3.1[2-9]) $(wildcard /usr/bin/python3.1[2-9]) python3

.PHONY: venv demo test dashboard bench lint clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@set -e; \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; assert sys.version_info >= (3, 12)' 2>/dev/null; then \
	  found=""; \
	  for candidate in $(PYTHON_CANDIDATES); do \
	    if "$$candidate" -c 'import sys, venv, ensurepip; assert sys.version_info >= (3, 12)' >/dev/null 2>&1; then found="$$candidate"; break; fi; \
	  done; \
	  if [ -z "$$found" ]; then \
	    echo "error: no working Python >= 3.12 found (tried: $(PYTHON_CANDIDATES))." >&2; \
	    echo "Install one with venv and ensurepip, e.g. 'apt-get install python3.13 python3.13-venv' or 'pyenv install 3.12'." >&2; \
	    exit 1; \
	  fi; \
	  echo "using $$found ($$("$$found" --version))"; \
	  rm -rf $(VENV); "$$found" -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	$(PY) -m hikisim.precompile
	touch $(STAMP)

DEMO_SCENARIOS := scenarios/baseline.toml scenarios/school_prevention.toml scenarios/family_support.toml scenarios/comprehensive.toml

# A compare folder never mixes results, so a demo after a change of code or scenarios
# would be refused: the last demo's results are kept as results/demo.previous instead.
demo: venv
	@if [ -d results/demo ]; then rm -rf results/demo.previous; mv results/demo results/demo.previous; \
	  echo "kept the last demo's results as results/demo.previous"; fi
	$(VENV)/bin/hikisim compare $(DEMO_SCENARIOS) --replicates 2 --psa 50 --psa-replicates 1 --out results/demo

test: venv
	$(PY) -m pytest -n 2 --dist loadgroup

dashboard: venv
	$(VENV)/bin/hikisim dashboard

bench: venv
	$(PY) experiments/benchmark.py

lint: venv
	$(VENV)/bin/ruff check hikisim tests experiments
	$(VENV)/bin/ruff format --check hikisim tests experiments

clean:
	rm -rf $(VENV) results .pytest_cache
