# The two commands: `make demo` and `make test`. Everything installs into .venv.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test fuzz bench lint install clean messages

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,postgres]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/maque demo

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy src

test: $(STAMP) lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Generated requests over the whole OpenAPI document, many per operation (a few in `make test`).
FUZZ_EXAMPLES ?= 200
fuzz: $(STAMP)
	MAQUE_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest --dist load tests/api/test_it_survives_generated_requests.py $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

# Refresh every app's Chinese catalogue from the code and compile it (needs GNU gettext's
# xgettext/msgfmt: apt-get install gettext). Translate the new empty msgstr entries, then commit
# the .po and .mo files; a test fails while one msgid is translated two ways across apps.
messages: $(STAMP)
	cd src/maque && $(CURDIR)/$(BIN)/maque manage makemessages -l zh_Hans --no-obsolete $$(for d in */; do printf -- '-i %s ' "$${d%/}"; done)
	for app in src/maque/*/; do \
	  if [ -d "$$app/locale" ]; then (cd "$$app" && $(CURDIR)/$(BIN)/maque manage makemessages -l zh_Hans --no-obsolete) || exit 1; fi; \
	done
	$(BIN)/maque manage compilemessages -l zh_Hans --ignore ".venv/*" --ignore "var/*"

clean:
	rm -rf $(VENV) var
