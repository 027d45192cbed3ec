# The two set-up commands: `make run` (the product on SQLite with the demo province) and `make test`.
# Each creates its own virtual environment in .venv and installs what it needs.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint bench screenshots clean messages

$(BIN)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

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
