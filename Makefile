# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test bench lighthouse install clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
		echo "LearnCircle needs Python 3.11 or newer, but '$(PYTHON)' is: $$($(PYTHON) --version 2>&1)."; \
		echo "Install a newer Python and name it, e.g.: make run PYTHON=python3.12"; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "Could not create $(VENV). On Debian, Ubuntu or Raspberry Pi OS: sudo apt-get install python3-venv"; exit 1; }
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the dependencies change, so a second `make run` starts in seconds.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/learncircle serve --host $(HOST) --port $(PORT)

# Install or update the dependencies without serving (upgrading a server that systemd runs).
install: $(VENV)/.installed

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/run.py

# What a phone on a slow link sees (needs Node.js 20+, npm and Chromium).
lighthouse: $(VENV)/.installed-dev
	$(BIN)/python bench/lighthouse.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
