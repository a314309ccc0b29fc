# The two commands: `make run` starts the all-in-one cloud, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP_RUN := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test
SRC_DEPS := pyproject.toml
# The suite runs on every core by default (CI passes its own).
PYTEST_ARGS ?= -q -n auto

.PHONY: run test fuzz tempest bench samples clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP_RUN): $(PY) $(SRC_DEPS)
	$(PY) -m pip install --quiet -e '.[clients]'
	touch $@

$(STAMP_TEST): $(PY) $(SRC_DEPS)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP_RUN)

run: $(STAMP_RUN)
	$(VENV)/bin/pocketstack up $(ARGS)

test: $(STAMP_TEST)
	$(PY) -m pytest $(PYTEST_ARGS)

# The property-based suite at length: FUZZ_PER_ROUTE random examples for each
# of the APIs' routes (32 x 315 routes = 10,080), random seeds.
fuzz: $(STAMP_TEST)
	HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest tests/fuzz $(PYTEST_ARGS)

# Tempest (its own virtualenv) against a fresh `up`: the conformance ratchet of
# tools/tempest/run.py.  TEMPEST_ARGS='--regex ^tempest\.api\.identity\.' for another suite.
TEMPEST_VENV := .venv-tempest
TEMPEST_REQUIREMENTS := tools/tempest/requirements.txt
TEMPEST_ARGS ?=
$(TEMPEST_VENV)/.installed: $(TEMPEST_REQUIREMENTS)
	$(PYTHON) -m venv $(TEMPEST_VENV)
	$(TEMPEST_VENV)/bin/pip install --quiet --upgrade pip
	$(TEMPEST_VENV)/bin/pip install --quiet -r $(TEMPEST_REQUIREMENTS)
	touch $@

tempest: $(STAMP_RUN) $(TEMPEST_VENV)/.installed
	$(PY) tools/tempest/run.py --tempest-venv $(TEMPEST_VENV) $(TEMPEST_ARGS)

# pocketstack/etc/<service>.conf.sample and <service>-policy.yaml.sample, from the
# code's options and policy defaults (tests/unit/test_samples.py fails when stale).
SERVICES := identity image network compute
samples: $(STAMP_RUN)
	for service in $(SERVICES); do \
	  $(VENV)/bin/oslo-config-generator --namespace pocketstack.$$service \
	    --output-file pocketstack/etc/$$service.conf.sample && \
	  $(VENV)/bin/oslopolicy-sample-generator --namespace pocketstack.$$service \
	    --output-file pocketstack/etc/$$service-policy.yaml.sample || exit 1; \
	done

bench: $(STAMP_TEST)
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) $(TEMPEST_VENV) build *.egg-info
