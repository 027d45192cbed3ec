# The two set-up commands: `make run` (the product on SQLite with the demo province) and `make test`.
# Each creates its own virtual environment in .venv and installs what it needs.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# The pinned versions of every dependency (install_requires and the test extra), written by `make lock`.
LOCK = requirements.lock

.PHONY: run test lint bench screenshots clean messages lock

# Installs exactly the locked versions, then parsurvey itself (its dependencies are all in the lock).
$(BIN)/.installed: setup.cfg pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# Rewrite the lock from setup.cfg (install_requires and the test extra), for Python 3.11 and up on any
# platform. Run it after changing a dependency; it needs no installed venv and keeps the pins it can.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	if grep -qE '^(<<<<<<<|=======|>>>>>>>)' $(LOCK) 2>/dev/null; then rm $(LOCK); fi  # a merge left it torn
	$(BIN)/python -m pip install --quiet 'uv>=0.5'
	$(BIN)/python -m uv pip compile setup.cfg --extra test --universal --python-version 3.11 \
		--custom-compile-command 'make lock' --quiet -o $(LOCK)

run: $(BIN)/.installed
	$(BIN)/parsurvey db upgrade
	$(BIN)/parsurvey demo load
	$(BIN)/parsurvey run --host $(HOST) --port $(PORT)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/pytest

screenshots: $(BIN)/.installed
	PARSURVEY_SCREENSHOTS=1 $(BIN)/pytest tests/web -q

bench: $(BIN)/.installed
	$(BIN)/python bench/forms.py

# After editing server/translations/*/LC_MESSAGES/messages.po: compile the .mo that is committed beside it.
messages: $(BIN)/.installed
	$(BIN)/pybabel compile -d server/translations

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
