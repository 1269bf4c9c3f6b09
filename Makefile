# GJW Uploader. `make demo` tries it against the local sandbox; `make test`
# runs every test. Both work on a fresh Debian machine with Go (see
# README.md for the C libraries the desktop app needs).

GO      ?= go
BIN     := bin
DEMO    := .demo
# The app has migrated to fyne.Do; the tag turns off Fyne's thread checks.
TAGS    := migrated_fynedo
# Bytes per second the demo sandbox accepts, so progress is visible on loopback.
THROTTLE ?= 40000000

# The version stamped into gjw and the app: FyneApp.toml's Version, the
# commit (with -dirty for uncommitted changes) and the build time (UTC;
# SOURCE_DATE_EPOCH fixes it for reproducible builds).
MODULE     := github.com/gjw-uploader/gjw-uploader
VERSION    := $(shell sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml)
COMMIT     := $(shell git describe --always --dirty --abbrev=12 --exclude='*' 2>/dev/null)
BUILD_DATE := $(shell date -u $${SOURCE_DATE_EPOCH:+-d @$$SOURCE_DATE_EPOCH} +%Y-%m-%dT%H:%M:%SZ)
CLI_LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.buildDate=$(BUILD_DATE)
APP_LDFLAGS := -X $(MODULE)/gui.Version=$(VERSION) -X $(MODULE)/gui.Commit=$(COMMIT) -X $(MODULE)/gui.BuildDate=$(BUILD_DATE)

.PHONY: all cli app deps test vet bench demo demo-cli clean

all: cli app

cli:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(CLI_LDFLAGS)" -o $(BIN)/gjw ./cmd/gjw
	CGO_ENABLED=0 $(GO) build -o $(BIN)/gjw-sandbox ./cmd/gjw-sandbox

app: deps
	CGO_ENABLED=1 $(GO) build -tags $(TAGS) -ldflags "$(APP_LDFLAGS)" -o $(BIN)/gjw-uploader ./cmd/gjw-uploader

# The C libraries the desktop app (Fyne, GLFW) builds against, and ffmpeg
# (poster frames: make test runs core.ExtractFrame and the app's frame path
# with it), installed with apt on Debian if missing.
GUI_DEPS := gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev ffmpeg
# apt-install PACKAGES...: installs those not yet installed (through sudo when
# not root); nothing to do off Debian.
apt-install = command -v dpkg >/dev/null || exit 0; \
	missing=$$(for p in $(1); do dpkg -s $$p 2>/dev/null | grep -q '^Status: install ok installed' || echo $$p; done); \
	[ -z "$$missing" ] && exit 0; \
	echo "Installing with apt:" $$missing; \
	sudo=; [ "$$(id -u)" -ne 0 ] && sudo=sudo; \
	$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing
deps:
	@$(call apt-install,$(GUI_DEPS))

vet: deps
	$(GO) vet -tags $(TAGS) ./...
	@# core, persist and the command line never depend on Fyne.
	@if $(GO) list -deps ./cmd/gjw ./cmd/gjw-sandbox ./core/... ./persist | grep -q '^fyne.io/'; then \
		echo "core, persist or the CLI imports fyne.io"; exit 1; fi
	@if CGO_ENABLED=0 $(GO) list -deps ./cmd/gjw | grep -q '^runtime/cgo$$'; then \
		echo "cmd/gjw needs cgo"; exit 1; fi

# GJW_REQUIRE_FFMPEG: the ffmpeg tests fail instead of skipping (deps
# installed it).
test: vet
	GJW_REQUIRE_FFMPEG=1 $(GO) test -race -tags $(TAGS) ./...

# Speed and memory, as ratios against baselines measured in the same run
# (docs/benchmarks.md explains each figure). Needs about 2.5 GiB in /dev/shm.
bench:
	GJW_BENCH_DIR=/dev/shm $(GO) test -run '^$$' -bench TUSUpload1GiB -benchtime 5x ./core/tusupload/
	GJW_BENCH_DIR=/dev/shm $(GO) test -run '^$$' -bench TUSUploadMemory -benchtime 3x ./core/tusupload/
	GJW_BENCH_DIR=/dev/shm $(GO) test -run '^$$' -bench 'UploadRSS1GiB|KillResume' -benchtime 3x ./cmd/gjw/
	$(GO) test -run '^$$' -bench . -tags $(TAGS) ./gui/

# Starts the sandbox in the background on free ports with a sample video and
# poster in $(DEMO), and loads its environment (URLs, demo account) into the
# shell that runs the recipe's next commands.
SANDBOX_UP = mkdir -p $(DEMO) && rm -rf $(DEMO)/data $(DEMO)/env; \
	$(BIN)/gjw-sandbox -api-port 0 -image-port 0 -vod-port 0 -throttle $(THROTTLE) \
		-sample $(DEMO) -env-file $(DEMO)/env > $(DEMO)/sandbox.log 2>&1 & pid=$$!; \
	trap "kill $$pid 2>/dev/null" EXIT; \
	while [ ! -s $(DEMO)/env ]; do kill -0 $$pid 2>/dev/null || { cat $(DEMO)/sandbox.log; exit 1; }; sleep 0.2; done; \
	set -a; . ./$(DEMO)/env; set +a; \
	export GJW_DATA_DIR=$(DEMO)/data GJW_POLL_INTERVAL=1s

# The desktop app on the local sandbox, signed in to its demo account: drop a
# video on the window (a sample is in .demo/sample.mp4) and watch it publish.
demo: cli app
	@$(SANDBOX_UP); \
	echo "Drop a video on the window; a sample is in $(DEMO)/sample.mp4"; \
	$(BIN)/gjw-uploader

# The command line on the local sandbox: logs in with the demo account and
# uploads the sample video with a progress bar.
demo-cli: cli
	@$(SANDBOX_UP); \
	$(BIN)/gjw login --access-token "$$GJW_DEMO_ACCESS_TOKEN" --refresh-token "$$GJW_DEMO_REFRESH_TOKEN" \
		--channel "$$GJW_DEMO_CHANNEL" --expires-in "$$GJW_DEMO_EXPIRES_IN" && \
	$(BIN)/gjw upload $(DEMO)/sample.mp4 --title "Sample video" --description "Uploaded by make demo-cli" \
		--thumbnail $(DEMO)/poster.png

clean:
	rm -rf $(BIN) $(DEMO)
