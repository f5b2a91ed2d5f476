# EQM: the README's two commands.
#   make demo   the federation on loopback: coordinator (embedded SQLite), 20 nodes, SecAgg+ rounds with DP
#   make test   installs what is missing, starts a throwaway PostgreSQL, runs every test, stops it

SWIFT ?= swift
DEMO_ARGS ?=

.PHONY: demo test build release bootstrap bench format clean

bootstrap:
	@scripts/bootstrap.sh

build: bootstrap
	$(SWIFT) build

release: bootstrap
	$(SWIFT) build -c release --product eqm

demo: release
	.build/release/eqm demo $(DEMO_ARGS)

test: bootstrap
	@scripts/run-tests.sh

bench: release
	.build/release/eqm bench train --model mlp --dp on
	.build/release/eqm bench train --model cnn --dp on
	.build/release/eqm bench train --model gru --dp on
	.build/release/eqm bench infer --model mlp
	.build/release/eqm bench infer --model cnn
	.build/release/eqm bench features
	.build/release/eqm bench import --format apple-health --size-mb 1000
	.build/release/eqm bench coordinator --nodes 1000 --params 100000

format:
	$(SWIFT) format --in-place --recursive Package.swift Sources Protocols Compliance Coordinator Client Tests

clean:
	rm -rf .build
