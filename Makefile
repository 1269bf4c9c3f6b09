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
# More gjw-sandbox flags for SANDBOX_UP.
SANDBOX_FLAGS ?=

# The version stamped into gjw and the app: FyneApp.toml's Version, the
# commit (with -dirty for uncommitted changes) and the build time (UTC;
# SOURCE_DATE_EPOCH fixes it for reproducible builds).
MODULE     := github.com/gjw-uploader/gjw-uploader
VERSION    := $(shell sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml)
COMMIT     := $(shell git describe --always --dirty --abbrev=12 --exclude='*' 2>/dev/null)
BUILD_DATE := $(shell date -u $${SOURCE_DATE_EPOCH:+-d @$$SOURCE_DATE_EPOCH} +%Y-%m-%dT%H:%M:%SZ)
BUILD_DAY   = $(firstword $(subst T, ,$(BUILD_DATE)))
CLI_LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.buildDate=$(BUILD_DATE)
APP_LDFLAGS := -X $(MODULE)/gui.Version=$(VERSION) -X $(MODULE)/gui.Commit=$(COMMIT) -X $(MODULE)/gui.BuildDate=$(BUILD_DATE)

.PHONY: all cli app deps test vet bench demo demo-cli clean dist dist-deps dist-cli dist-app-src dist-app-linux dist-app-windows dist-app-darwin install uninstall check-windows

all: cli app

cli:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(CLI_LDFLAGS)" -o $(BIN)/gjw ./cmd/gjw
	CGO_ENABLED=0 $(GO) build -o $(BIN)/gjw-sandbox ./cmd/gjw-sandbox

app: deps
	CGO_ENABLED=1 $(GO) build -tags $(TAGS) -ldflags "$(APP_LDFLAGS)" -o $(BIN)/gjw-uploader ./cmd/gjw-uploader

# The C libraries the desktop app (Fyne, GLFW) builds against, and ffmpeg
# (poster frames: make test runs core.ExtractFrame and the app's frame path
# with it), and dbus-daemon (the keep-awake test runs the real D-Bus call
# against a stand-in logind), and fonts-droid-fallback (Droid Sans Fallback,
# a 1.8 MB download, 7 MB installed: title cards draw Chinese, Japanese and Korean titles with it;
# make test runs the CJK title card tests with it), installed with apt on
# Debian if missing.
GUI_DEPS := gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev ffmpeg dbus-daemon fonts-droid-fallback
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

# GJW_REQUIRE_FFMPEG, GJW_REQUIRE_CJK_FONT: the ffmpeg and CJK title card
# tests fail instead of skipping (deps installed ffmpeg and
# fonts-droid-fallback).
test: vet
	GJW_REQUIRE_FFMPEG=1 GJW_REQUIRE_CJK_FONT=1 $(GO) test -race -tags $(TAGS) ./...

# Speed and memory, as ratios against baselines measured in the same run
# (docs/benchmarks.md explains each figure). Needs about 2.5 GiB in /dev/shm.
bench:
	GJW_BENCH_DIR=/dev/shm $(GO) test -run '^$$' -bench TUSUpload1GiB -benchtime 5x ./core/tusupload/
	GJW_BENCH_DIR=/dev/shm $(GO) test -run '^$$' -bench TUSUploadMemory -benchtime 3x ./core/tusupload/
	GJW_BENCH_DIR=/dev/shm $(GO) test -run '^$$' -bench 'UploadRSS1GiB|KillResume' -benchtime 3x ./cmd/gjw/
	$(GO) test -run '^$$' -bench LimitOff -benchtime 5x ./core/httpx/
	$(GO) test -run '^$$' -bench LimitHolds -benchtime 1x ./core/httpx/
	$(GO) test -run '^$$' -bench . -tags $(TAGS) ./gui/
	$(GO) test -run '^$$' -bench TitleCard -benchtime 40x -tags $(TAGS) ./core/

# Starts the sandbox in the background on free ports with a sample video and
# poster in $(DEMO), and loads its environment (URLs, demo account) into the
# shell that runs the recipe's next commands.
SANDBOX_UP = mkdir -p $(DEMO) && rm -rf $(DEMO)/data $(DEMO)/env; \
	$(BIN)/gjw-sandbox -api-port 0 -image-port 0 -vod-port 0 -throttle $(THROTTLE) $(SANDBOX_FLAGS) \
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

# ---- Release artifacts (README.md "Install") --------------------------------
#
# make dist writes dist/: gjw for five systems (pure Go), the Linux amd64 app
# packaged with Fyne's tool (binary, .desktop entry, icons, AppStream
# metainfo, and a Makefile to install it), the Windows amd64 app cross-built
# with cgo through mingw-w64 (icon and version in the .exe), and SHA256SUMS.
# It installs what it needs with apt. macOS app bundles need Apple's SDK: on
# a Mac, see README.md.
DIST          := dist
STAGE         := $(DIST)/.stage
APP_ID        := io.github.gjwuploader.app
FYNE_TOOLS    := fyne.io/tools/cmd/fyne@v1.7.4
FYNE          := $(BIN)/fyne
CLI_PLATFORMS := linux/amd64 linux/arm64 windows/amd64 darwin/amd64 darwin/arm64
DIST_DEPS     := gcc-mingw-w64-x86-64 xz-utils zip
LINUX_APP      = $(DIST)/gjw-uploader-$(VERSION)-linux-amd64.tar.xz
WINDOWS_APP    = $(DIST)/gjw-uploader-$(VERSION)-windows-amd64.zip
# Archives list files in name order, owned by root, dated BUILD_DATE.
TARFLAGS       = --sort=name --owner=0 --group=0 --numeric-owner --mtime=$(BUILD_DATE)
# fyne package takes -ldflags only through GOFLAGS, one -ldflags= per flag.
APP_GOFLAGS    = $$GOFLAGS -ldflags=-X=$(MODULE)/gui.Version=$(VERSION) \
	-ldflags=-X=$(MODULE)/gui.Commit=$(COMMIT) -ldflags=-X=$(MODULE)/gui.BuildDate=$(BUILD_DATE)

dist: dist-deps
	rm -rf $(DIST)
	@# One sub-make, so every artifact carries the same commit and date.
	$(MAKE) --no-print-directory COMMIT=$(COMMIT) BUILD_DATE=$(BUILD_DATE) dist-cli dist-app-linux dist-app-windows
	rm -rf $(STAGE)
	cd $(DIST) && sha256sum $$(ls) > SHA256SUMS && sha256sum --quiet -c SHA256SUMS
	@echo; ls -l $(DIST); echo; cat $(DIST)/SHA256SUMS

dist-deps: deps
	@$(call apt-install,$(DIST_DEPS))

# gjw-VERSION-OS-ARCH.tar.gz (.zip for Windows): gjw, README.md, LICENSE.
dist-cli:
	@set -e; mkdir -p $(STAGE); for p in $(CLI_PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; name=gjw-$(VERSION)-$$os-$$arch; exe=gjw; \
		[ $$os = windows ] && exe=gjw.exe; \
		echo "gjw for $$os/$$arch"; rm -rf $(STAGE)/$$name; mkdir -p $(STAGE)/$$name; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags "$(CLI_LDFLAGS)" -o $(STAGE)/$$name/$$exe ./cmd/gjw; \
		cp README.md LICENSE $(STAGE)/$$name/; \
		if [ $$os = windows ]; then \
			find $(STAGE)/$$name -exec touch -d $(BUILD_DATE) {} +; \
			(cd $(STAGE) && rm -f ../$$name.zip && zip -qrX ../$$name.zip $$name); \
		else tar $(TARFLAGS) -C $(STAGE) -czf $(DIST)/$$name.tar.gz $$name; fi; \
	done

$(FYNE):
	GOBIN=$(abspath $(BIN)) $(GO) install $(FYNE_TOOLS)

# fyne package reads FyneApp.toml beside the main package and writes files
# there while it builds, so it runs on a copy of the source, never on the
# working tree.
dist-app-src:
	rm -rf $(STAGE)/src && mkdir -p $(STAGE)/src
	tar --exclude=./$(DIST) --exclude=./$(BIN) --exclude=./$(DEMO) --exclude=./.git -cf - . | tar -xf - -C $(STAGE)/src

# fyne package [FLAGS]: in the source copy, with FyneApp.toml put back each
# time (fyne package counts Build up in it after each package, and every
# artifact must carry the same build number).
FYNE_PACKAGE = sed 's,^Icon = "icons/,Icon = "../../icons/,' FyneApp.toml > $(STAGE)/src/cmd/gjw-uploader/FyneApp.toml && \
	cd $(STAGE)/src/cmd/gjw-uploader && GOFLAGS="$(APP_GOFLAGS)" $(abspath $(FYNE)) package --release

# gjw-uploader-VERSION-linux-amd64.tar.xz: bin/, share/ (applications,
# metainfo, icons, pixmaps), a Makefile that installs them, README, LICENSE.
dist-app-linux: deps $(FYNE) dist-app-src
	$(FYNE_PACKAGE) --target linux
	@set -e; name=gjw-uploader-$(VERSION)-linux-amd64; d=$(STAGE)/$$name; f=$(STAGE)/fyne-linux/gjw-uploader/usr; \
	rm -rf $(STAGE)/fyne-linux $$d; mkdir -p $(STAGE)/fyne-linux; \
	tar -xJf "$(STAGE)/src/cmd/gjw-uploader/GJW Uploader.tar.xz" -C $(STAGE)/fyne-linux; \
	[ -d $$f/local ] && f=$$f/local; \
	install -Dm755 $$f/bin/gjw-uploader $$d/bin/gjw-uploader; \
	install -Dm644 $$f/share/applications/$(APP_ID).desktop $$d/share/applications/$(APP_ID).desktop; \
	install -Dm644 icons/icon.png $$d/share/icons/hicolor/512x512/apps/$(APP_ID).png; \
	install -Dm644 icons/icon.png $$d/share/pixmaps/$(APP_ID).png; \
	mkdir -p $$d/share/metainfo; \
	sed -e 's/@VERSION@/$(VERSION)/' -e 's/@DATE@/$(BUILD_DAY)/' cmd/gjw-uploader/$(APP_ID).metainfo.xml.in > $$d/share/metainfo/$(APP_ID).metainfo.xml; \
	if command -v desktop-file-validate >/dev/null; then desktop-file-validate $$d/share/applications/$(APP_ID).desktop; fi; \
	if command -v appstreamcli >/dev/null; then appstreamcli validate --no-net --pedantic $$d/share/metainfo/$(APP_ID).metainfo.xml; fi; \
	cp cmd/gjw-uploader/install.mk $$d/Makefile; cp README.md LICENSE $$d/; \
	tar $(TARFLAGS) -C $(STAGE) -cJf $(DIST)/$$name.tar.xz $$name

# gjw-uploader-VERSION-windows-amd64.zip: gjw-uploader.exe (cgo through
# mingw-w64; fyne package puts the icon and version in its resources),
# README, LICENSE.
dist-app-windows: dist-deps $(FYNE) dist-app-src
	export GOARCH=amd64 CC=x86_64-w64-mingw32-gcc CXX=x86_64-w64-mingw32-g++; $(FYNE_PACKAGE) --target windows
	@set -e; name=gjw-uploader-$(VERSION)-windows-amd64; d=$(STAGE)/$$name; rm -rf $$d; mkdir -p $$d; \
	cp "$(STAGE)/src/cmd/gjw-uploader/GJW Uploader.exe" $$d/gjw-uploader.exe; cp README.md LICENSE $$d/; \
	find $$d -exec touch -d $(BUILD_DATE) {} +; \
	(cd $(STAGE) && rm -f ../$$name.zip && zip -qrX ../$$name.zip $$name)

# On a Mac (Go and Xcode's command line tools; not part of make dist, which
# runs on Debian): dist/gjw-uploader-VERSION-darwin-ARCH.zip holding
# "GJW Uploader.app" for this Mac's processor.
dist-app-darwin: $(FYNE) dist-app-src
	$(FYNE_PACKAGE) --target darwin
	cd $(STAGE)/src/cmd/gjw-uploader && ditto -c -k --keepParent "GJW Uploader.app" \
		$(abspath $(DIST))/gjw-uploader-$(VERSION)-darwin-$$($(GO) env GOARCH).zip

# Installs the Linux app from its dist archive, as a user would:
# make install PREFIX=$$HOME/.local (default /usr/local; DESTDIR for staging).
PREFIX ?= /usr/local
install uninstall:
	@[ -f $(LINUX_APP) ] || $(MAKE) --no-print-directory dist-app-linux
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; tar -xJf $(LINUX_APP) -C $$tmp; \
	$(MAKE) --no-print-directory -C $$tmp/gjw-uploader-$(VERSION)-linux-amd64 $@ PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

# ---- gjw.exe under Wine -------------------------------------------------------
#
# make check-windows runs the Windows gjw.exe under Debian's wine64 (installed
# if missing) against gjw-sandbox on loopback: login, upload the sandbox's
# sample video, kill -9 mid-upload, gjw resume, and check the published URL
# and that the platform got one content entry and one TUS upload. Not part of
# make test (Wine is large).
#
# Debian 12's Wine (8.0) lacks ProcessPrng in bcryptprimitives.dll, which the
# Go runtime has needed since Go 1.22 (Windows 10 has it; Wine since 8.13).
# The check puts a 10-line stand-in, built with mingw-w64, into the Wine
# prefix's system32: ProcessPrng through RtlGenRandom. gjw.exe is unchanged.
WINE       ?= $(firstword $(shell command -v wine64 2>/dev/null) /usr/lib/wine/wine64)
WINESERVER ?= $(firstword $(shell command -v wineserver64 wineserver 2>/dev/null) /usr/lib/wine/wineserver64)
check-windows: DEMO := .demo/windows
check-windows: THROTTLE := 8000000
check-windows: SANDBOX_FLAGS := -v -sample-size 67108864
check-windows: cli
	@$(call apt-install,wine64 gcc-mingw-w64-x86-64)
	@set -e; $(SANDBOX_UP); \
	w=$(DEMO)/wine; mkdir -p $$w; \
	export WINEPREFIX=$(abspath $(DEMO))/wine/prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" GJW_DATA_DIR=$(DEMO)/wine/data; \
	trap 'kill $$pid 2>/dev/null; $(WINESERVER) -k 2>/dev/null || true' EXIT; \
	CGO_ENABLED=0 GOOS=windows GOARCH=amd64 $(GO) build -trimpath -ldflags "$(CLI_LDFLAGS)" -o $$w/gjw.exe ./cmd/gjw; \
	if [ ! -f $$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll ]; then \
		echo "Creating the Wine prefix in $$WINEPREFIX"; $(WINE) wineboot -i >/dev/null 2>&1 || true; $(WINESERVER) -w; \
		printf '%s\n' '#include <windows.h>' 'BOOLEAN WINAPI SystemFunction036(PVOID, ULONG);' \
			'__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE p, SIZE_T n) {' \
			'	for (; n > 0; ) { ULONG k = n > 0x10000000 ? 0x10000000 : (ULONG)n;' \
			'		if (!SystemFunction036(p, k)) return FALSE; p += k; n -= k; }' \
			'	return TRUE; }' > $$w/prng.c; \
		x86_64-w64-mingw32-gcc -shared -O2 -s -o $$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll $$w/prng.c -ladvapi32; \
	fi; \
	gjw() { $(WINE) $$w/gjw.exe "$$@"; }; \
	gjw version; \
	gjw login --access-token "$$GJW_DEMO_ACCESS_TOKEN" --refresh-token "$$GJW_DEMO_REFRESH_TOKEN" \
		--channel "$$GJW_DEMO_CHANNEL" --expires-in "$$GJW_DEMO_EXPIRES_IN"; \
	echo "Uploading $(DEMO)/sample.mp4 (64 MiB at 8 MB/s), to be killed mid-upload"; \
	$(WINE) $$w/gjw.exe upload $(DEMO)/sample.mp4 --title "Wine check" --thumbnail $(DEMO)/poster.png --json \
		> $$w/upload.out 2> $$w/upload.err & up=$$!; \
	until [ $$(grep -c PATCH $(DEMO)/sandbox.log) -ge 2 ]; do \
		kill -0 $$up 2>/dev/null || { echo "gjw.exe upload ended before the kill:"; cat $$w/upload.err; exit 1; }; sleep 0.2; done; \
	kill -9 $$up; wait $$up 2>/dev/null || true; $(WINESERVER) -k 2>/dev/null || true; \
	echo "Killed after $$(grep -c PATCH $(DEMO)/sandbox.log) PATCH requests; resuming"; \
	gjw resume --json > $$w/resume.out; cat $$w/resume.out; \
	url=$$(grep -o 'https://www.ganjingworld.com/video/[0-9A-Za-z_-]*' $$w/resume.out | head -1); \
	creates=$$(grep -c 'add-content' $(DEMO)/sandbox.log); tus=$$(grep -Ec '^.*vod +POST ' $(DEMO)/sandbox.log); \
	[ -n "$$url" ] || { echo "check-windows: no published URL after gjw resume"; exit 1; }; \
	[ "$$creates" = 1 ] && [ "$$tus" = 1 ] || { echo "check-windows: $$creates content entries and $$tus TUS uploads, want 1 and 1"; exit 1; }; \
	gjw jobs --json | grep -q "$${url##*/}" || { echo "check-windows: gjw jobs does not list $$url"; exit 1; }; \
	echo "check-windows: gjw.exe published $$url after a kill -9 and gjw resume (one content entry, one TUS upload)"

clean:
	rm -rf $(BIN) $(DEMO) $(DIST)
