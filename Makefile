# Karez: `make demo` runs the main job, `make test` runs every test. Both install what they
# need on a fresh Debian machine (run as root, or with sudo available).
SHELL := /bin/bash
SWIFT ?= swift
APT_PACKAGES := libzmq3-dev libsqlite3-dev python3 python3-pip
# The dashboard test loads the page in a real headless browser.
TEST_APT_PACKAGES := chromium fonts-wqy-zenhei
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps test-deps build release test test-distributed conformance check-proto check-deploy check-hdr-log demo bench clean

all: build

## deps: install missing system packages and Python's jsonschema (the independent validator).
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi
	@python3 -c 'import jsonschema, zmq' 2>/dev/null || python3 -m pip install -q jsonschema pyzmq 2>/dev/null \
	  || python3 -m pip install -q --break-system-packages jsonschema pyzmq 2>/dev/null \
	  || { $(SUDO) apt-get install -y -qq python3-jsonschema python3-zmq >/dev/null; }
	@python3 -c 'import jsonschema, zmq' || { echo "error: Python's jsonschema and pyzmq could not be installed"; exit 1; }
	@command -v $(SWIFT) >/dev/null || { echo "error: no Swift toolchain on PATH (Swift 6.1 or later is required)"; exit 1; }

## test-deps: what only the tests need: headless Chromium and Python's prometheus_client
## (a Prometheus text parser nobody here wrote).
test-deps: deps
	@missing=""; for p in $(TEST_APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi
	@python3 -c 'import prometheus_client' 2>/dev/null || python3 -m pip install -q prometheus_client 2>/dev/null \
	  || python3 -m pip install -q --break-system-packages prometheus_client 2>/dev/null \
	  || { $(SUDO) apt-get install -y -qq python3-prometheus-client >/dev/null; }
	@python3 -c 'import prometheus_client' || { echo "error: Python's prometheus_client could not be installed"; exit 1; }

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## check-proto: every proto-json vector against Python's jsonschema, and the broker-partition
## vectors against the Python reference (PROTOCOL.md 8.1).
check-proto: deps
	python3 proto-json/check.py
	python3 proto-json/tools/partition.py check proto-json/partition-vectors.json

## Most tests at once: many start real processes, and on 2 cores an unbounded run starved
## them (timing bounds failed under load); 4 at a time ran the suite as fast (200 s). Swift
## Testing reads it from its environment (toolchains before 6.3 ignore it and run unbounded).
TEST_WIDTH ?= 4

## test: build, check proto-json, start a throw-away PostgreSQL server, run every Swift test
## (Swift Testing) against it and SQLite, stop the server again, then run the KZ1 conformance
## suite against `karez up --worker-count 0`.
test: test-deps check-proto
	$(SWIFT) build --build-tests
	@url=$$(scripts/test-postgres.sh start) || exit 1; \
	echo "PostgreSQL for the store tests: $$url"; \
	SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=$(TEST_WIDTH) KAREZ_TEST_POSTGRES_URL=$$url SWIFT=$(SWIFT) \
	  scripts/swift-test.sh --disable-xctest --skip HostileInputTests; rc=$$?; \
	scripts/test-postgres.sh stop; [ $$rc = 0 ] || exit $$rc
	@# The hostile-input test measures CPU per message: it runs alone, as benchmarks do.
	SWIFT=$(SWIFT) SWIFT_TEST_MINUTES=10 scripts/swift-test.sh --disable-xctest --skip-build --filter HostileInputTests
	scripts/conformance.sh .build/debug/karez
	scripts/check-dependent.sh .build/debug/karez
	scripts/check-deploy.sh .build/debug/karez
	scripts/check-hdr-log.sh .build/debug/karez
	$(SUDO) scripts/distributed-scenario.sh .build/debug/karez
	$(MAKE) fuzz-smoke

## conformance: the KZ1 conformance suite against `karez up --worker-count 0`.
conformance: deps
	$(SWIFT) build
	scripts/conformance.sh .build/debug/karez

## test-distributed: the distributed fault scenario: six hosts from network namespaces
## (scripts/hosts.sh; needs root), CURVE on every hop, one shared PostgreSQL, 100,000 mixed items
## through worker-a's link down for 20 s, a worker kill -9, a PostgreSQL restart and a broker
## kill -9; lost 0, duplicates 0, dead letters 0, report exact, each process's host in the table.
test-distributed: deps
	$(SWIFT) build
	$(SUDO) scripts/distributed-scenario.sh .build/debug/karez

## check-deploy: deploy/ against the Kubernetes and CRD schemas, the kustomizations' references,
## and the dashboard's and KEDA's metric names against /metrics of a real karez up.
check-deploy: build
	scripts/check-deploy.sh .build/debug/karez

## check-hdr-log: karez bench --hdr-log read back by HdrHistogram_py (a standard tool), every
## histogram's count and percentiles equal to the JSON report's.
check-hdr-log: build
	scripts/check-hdr-log.sh .build/debug/karez

## demo: karez up, publish the reference data set, print what was stored and rejected.
demo: release
	scripts/demo.sh

bench: release
	.build/release/karez bench transport --repeats 5
	.build/release/karez bench store
	.build/release/karez bench domain

## check-dependent: a tiny package depending on Karez by version (a tag of HEAD) builds and
## publishes one item with KarezClient (SwiftPM refuses unsafe flags in such a dependency).
.PHONY: check-dependent
check-dependent: build
	scripts/check-dependent.sh .build/debug/karez

## fuzz: libFuzzer (with AddressSanitizer) over the frame decoders, the JSON parser and each
## kind's validator, FUZZ_SECONDS per target, from the seed corpus in Tests/FuzzCorpus
## (scripts/fuzz.sh; built in .build-fuzz). Fails naming the saved input when it finds something.
FUZZ_SECONDS ?= 60
.PHONY: fuzz fuzz-smoke
fuzz:
	SWIFT=$(SWIFT) scripts/fuzz.sh $(FUZZ_SECONDS)

## fuzz-smoke: the same, bounded: 3 s per target (about 20 s in all, plus the build).
fuzz-smoke:
	SWIFT=$(SWIFT) scripts/fuzz.sh 3

clean:
	rm -rf .build
