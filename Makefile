# shoko set-up and everyday commands. `make install` is safe to run again.

VENV := .venv
PY := $(VENV)/bin/python
APT_PACKAGES := tesseract-ocr tesseract-ocr-jpn tesseract-ocr-osd fonts-noto-cjk chromium
DEMO_DIR ?= demo-data
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: install system-packages venv test demo bench score clean-demo

install: system-packages venv

# Debian packages: Tesseract with Japanese and orientation data, a Japanese font
# for generated test documents, Chromium for the browser tests.
system-packages:
	@missing=""; for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

test: install
	$(PY) -m pytest -q

# The service on a demo data directory with sample documents made by shoko itself.
demo: install
	$(PY) -m shoko demo --data-dir $(DEMO_DIR) --host $(HOST) --port $(PORT)

bench: install
	$(PY) bench/ingest_speed.py ../shared/corpus-dev/docs

score: install
	$(PY) bench/score_corpus.py ../shared/corpus-dev --verbose

clean-demo:
	rm -rf $(DEMO_DIR)
