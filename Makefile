# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
SUPPLYCHAIN := $(VENV)/bin/supplychain
export PATH := $(HOME)/.cache/supplychain/bin:$(PATH)

.PHONY: demo test test-unit test-e2e tools env venv typecheck bench clean

venv: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	@echo "==> creating Python environment in $(VENV)"
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade pip
	@$(PY) -m pip install -q -e '.[dev]'
	@touch $@

tools:
	@bash hack/install-tools.sh
	@bash hack/install-cartotest.sh

env: tools
	@bash hack/install-env.sh

demo: venv tools
	@bash hack/demo.sh

test: venv env
	@$(PY) -m pytest -p no:cacheprovider

test-unit: venv tools
	@$(PY) -m pytest -p no:cacheprovider -m 'not e2e'

typecheck: venv
	@$(VENV)/bin/mypy

bench: venv env
	@$(PY) -m benchmarks

clean:
	rm -rf $(VENV) out runs
