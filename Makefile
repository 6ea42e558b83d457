# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
SUPPLYCHAIN := $(VENV)/bin/supplychain
export PATH := $(HOME)/.cache/supplychain/bin:$(PATH)

.PHONY: demo test test-unit test-e2e test-e2e-kind tools env images kind-env venv lint typecheck bench clean

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

# The kind provider's component images (hack/images/), built from local files; needs a container engine.
images: env
	@bash hack/install-engine.sh
	@bash hack/install-images.sh

demo: venv tools
	@bash hack/demo.sh

# The kind provider: a Docker engine (installed and started when none answers), the kind binary and
# node image, and the component images, all built here from local files.
kind-env: env
	@bash hack/install-engine.sh
	@bash hack/install-kind.sh
	@$(MAKE) --no-print-directory images

# Style and structure, before any test: ruff, mypy --strict and the import-layer contracts (pyproject.toml)
# over supplychain/, tests/ and benchmarks/.
lint: venv
	@$(VENV)/bin/ruff check supplychain tests benchmarks
	@$(VENV)/bin/ruff format --check supplychain tests benchmarks
	@$(VENV)/bin/mypy
	@$(VENV)/bin/lint-imports --no-cache

# Every test on kwok (the default provider), then the end-to-end suite again on kind.
test: venv lint env kind-env
	@$(PY) -m pytest -p no:cacheprovider
	@$(PY) -m pytest -p no:cacheprovider -m e2e --cluster-provider kind tests/cluster tests/e2e

test-e2e-kind: venv kind-env
	@$(PY) -m pytest -p no:cacheprovider -m e2e --cluster-provider kind tests/cluster tests/e2e

test-unit: venv lint tools
	@$(PY) -m pytest -p no:cacheprovider -m 'not e2e'

typecheck: venv
	@$(VENV)/bin/mypy

bench: venv env
	@$(PY) -m benchmarks

clean:
	rm -rf $(VENV) out runs
