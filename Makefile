# nianbao — build, test and score the pipeline. `make test` is what CI runs.
GO      ?= go
BIN     ?= bin/nianbao
CORPUS  ?= ../shared/corpus
# Cell accuracy the pipeline must reach on the real corpus and fixtures:
# every cell, with exactly the broken identities flagged.
EVAL_MIN ?= 1
FIXTURES := testdata/reports testdata/pdf testdata/pdfconv testdata/word testdata/markdown testdata/ofd
# Word 97/WPS files are read through LibreOffice and scans through
# tesseract, both optional at run time: on a machine without them (CI
# installs both) the cases that need them are left out, loudly.
HAVE_SOFFICE := $(shell command -v soffice >/dev/null 2>&1 && echo yes)
HAVE_TESSERACT := $(shell command -v tesseract >/dev/null 2>&1 && echo yes)
FIXTURE_CASES := $(patsubst %/expected.json,%,$(wildcard $(addsuffix /*/expected.json,$(FIXTURES))))
NEED_SOFFICE := $(foreach c,$(FIXTURE_CASES),$(if $(wildcard $(c)/*.doc $(c)/*.wps),$(c)))
FIXTURES_RUN := $(if $(HAVE_SOFFICE),$(FIXTURE_CASES),$(filter-out $(NEED_SOFFICE),$(FIXTURE_CASES)))

.PHONY: all build run demo sql-check test unit vet eval eval-fixtures eval-formats duckdb-check bench bench-pdf clean readme-dict

all: build

build:
	$(GO) build -o $(BIN) ./cmd/nianbao

# The main job: crawl the built-in registry, parse, write ./data.
run: build
	@echo "binary: $(BIN) (go install ./cmd/nianbao puts it on your PATH)"
	$(BIN) run -o ./data

# The offline tour: the same pipeline on a fixture site served on loopback.
demo: build
	$(BIN) demo -o ./demo-data

# README's last section is the data dictionary, as 'nianbao dict' prints
# it (a unit test fails when they differ): this rewrites it.
readme-dict: build
	@sed -n '1,/^## Data dictionary$$/p' README.md | sed '$$d' > README.md.tmp
	$(BIN) dict >> README.md.tmp && mv README.md.tmp README.md

test: vet unit eval eval-fixtures eval-formats duckdb-check sql-check

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...

unit:
	$(GO) test ./...

# The real corpus lives beside the clone (../shared) on CI and developer
# machines, not in a user's clone: without it the check is skipped, loudly.
eval: build
	@if [ -d "$(CORPUS)" ]; then $(BIN) eval --min $(EVAL_MIN) --identities $(CORPUS); \
	else echo "eval: SKIPPED: no corpus at $(CORPUS) (CI has it; set CORPUS=dir to use another)"; fi

eval-fixtures: build
	@$(if $(HAVE_SOFFICE),,echo "eval-fixtures: SKIPPED $(strip $(NEED_SOFFICE)): no LibreOffice (apt install libreoffice-writer-nogui)")
	$(BIN) eval --min 1 --identities $(FIXTURES_RUN)

# The shared reports converted as agencies publish them (../shared/formats):
# every one read exactly, with exactly the expected identities failing.
FORMATS ?= ../shared/formats
eval-formats: build
	@if [ -z "$(HAVE_SOFFICE)" ] || [ -z "$(HAVE_TESSERACT)" ]; then \
	  echo "eval-formats: SKIPPED: needs LibreOffice and tesseract (apt install libreoffice-writer-nogui tesseract-ocr tesseract-ocr-chi-sim; CI has them)"; \
	elif [ -d "$(FORMATS)" ]; then \
	  $(BIN) eval --min 1 --identities $(FORMATS); \
	else echo "eval-formats: SKIPPED: no formats set at $(FORMATS)"; fi

duckdb-check: build
	cd scripts/duckdb && npm install --no-audit --no-fund --silent
	rm -rf .tmp/duckdb-data
	$(BIN) parse -q -o .tmp/duckdb-data $(wildcard $(CORPUS)) $(FIXTURES_RUN)
	node scripts/duckdb/check.mjs --min $(EVAL_MIN) .tmp/duckdb-data $(wildcard $(CORPUS)) $(FIXTURES_RUN)

# The README's questions in SQL, run by DuckDB on the demo's dataset.
sql-check: build
	cd scripts/duckdb && npm install --no-audit --no-fund --silent
	rm -rf .tmp/sql && mkdir -p .tmp/sql
	$(BIN) demo -q -o .tmp/sql/demo-data > /dev/null
	node scripts/duckdb/questions.mjs README.md internal/demo/expected.json .tmp/sql
	$(BIN) demo -q --shard 1/2 -o .tmp/sql/shards > /dev/null
	$(BIN) demo -q --shard 2/2 -o .tmp/sql/shards > /dev/null
	node scripts/duckdb/shards.mjs .tmp/sql/shards .tmp/sql/demo-data

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./normalize/ ./parse/...

bench-pdf: build
	bash scripts/bench-pdf.sh

clean:
	rm -rf bin .tmp data .data.nianbao demo-data .demo-data.nianbao
