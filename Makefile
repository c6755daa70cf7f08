# taskguard.windows — developer entry points. Every target bootstraps what it
# needs into .venv/ from PyPI on a fresh machine and is a no-op re-run otherwise.
#
#   make demo    set up and run the drift audit on the bundled sample hosts
#   make test    set up and run the whole suite (unit, sanity, lint, PowerShell
#                syntax, molecule, docs) and print a summary
#   make bench   performance figures of the controller path (prints, never asserts)
#   make bench-e2e  ansible-playbook playbooks/drift.yml end to end against Ansible's floor

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PATH := $(CURDIR)/$(BIN):$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/collections
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export ANSIBLE_LOCAL_TEMP := $(CURDIR)/.build/ansible-tmp
export ANSIBLE_HOME := $(CURDIR)/.build/ansible-home

.PHONY: all setup venv test unit sanity lint pscheck molecule docs changelog demo bench bench-e2e build clean ee

all: test

venv setup: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

test: $(STAMP)
	@tools/run-suite.sh all

unit: $(STAMP)
	@tools/run-suite.sh unit

sanity: $(STAMP)
	@tools/run-suite.sh sanity

lint: $(STAMP)
	@tools/run-suite.sh lint

pscheck: $(STAMP)
	@tools/run-suite.sh pscheck

molecule: $(STAMP)
	@tools/run-suite.sh molecule

docs: $(STAMP)
	@tools/run-suite.sh docs

demo: $(STAMP)
	@tools/demo.sh

bench: $(STAMP)
	@$(BIN)/python tools/bench.py $(BENCH_ARGS)

# Generates its fleet under .build/bench-e2e/ once (reused); BENCH_ARGS="--quick" for a smoke run.
bench-e2e: $(STAMP)
	@$(BIN)/python tools/bench_e2e.py $(BENCH_ARGS)

build: $(STAMP)
	@mkdir -p .build/dist
	@$(BIN)/ansible-galaxy collection build --force --output-path .build/dist .

# Renders the execution-environment build context (no container engine here:
# building the image itself is for a machine with podman or docker).
ee: $(STAMP) build
	@$(BIN)/ansible-builder create --file execution-environment.yml --context .build/ee-context

clean:
	rm -rf .build reports tests/output
