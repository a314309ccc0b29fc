# The two commands: `make run` starts the all-in-one cloud, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP_RUN := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test
SRC_DEPS := pyproject.toml

.PHONY: run test bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP_RUN): $(PY) $(SRC_DEPS)
	$(PY) -m pip install --quiet -e .
	touch $@

$(STAMP_TEST): $(PY) $(SRC_DEPS)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP_RUN)

run: $(STAMP_RUN)
	$(VENV)/bin/pocketstack up $(ARGS)

test: $(STAMP_TEST)
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP_TEST)
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) build *.egg-info
