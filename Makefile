# The README's two commands, plus helpers.
.PHONY: demo test build image fuzz perf evaluate clean

demo:            ## the main job: two hosts in network namespaces
	scripts/demo.sh

test:            ## every test, network ones included
	scripts/test.sh

build:
	scripts/install-deps.sh
	swift build

image:           ## the container image synaptic:<version> and synaptic:latest (podman, or Docker)
	scripts/install-deps.sh
	scripts/image.sh

fuzz:
	scripts/fuzz.sh

perf:
	scripts/perf.sh

evaluate:        ## synaptic vs direct, wireguard-go, OpenVPN, Weave: report + plots in Perf/results/<date> (root, 20-40 min)
	Perf/evaluate.sh

clean:
	rm -rf .build .build-* Perf/.build Fuzz/.build
