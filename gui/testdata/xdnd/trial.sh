#!/bin/sh
# A real drop on GJW Uploader's window: Xvfb, the local sandbox, the app
# signed in to its demo account, and a GTK drag source (drag.py) driven by
# xdotool, which drags ITEM... (files, folders or web links) onto the queue.
# Run from the repository root (docs/gui.md, "A real drop under Xvfb"):
#
#	gui/testdata/xdnd/trial.sh OUT ITEM...
#
# OUT gets the binaries, the logs (sandbox, app, drag source) and
# screenshots of the whole screen: before.png, dropped.png (2 s after the
# drop) and later.png (20 s after). Needs xvfb, xdotool, imagemagick,
# python3-gi and gir1.2-gtk-3.0 (Debian), besides what the app needs.
set -eu
out=$1
shift
disp=${XDND_DISPLAY:-:95}
mkdir -p "$out"
go build -o "$out/gjw-sandbox" ./cmd/gjw-sandbox
CGO_ENABLED=1 go build -tags migrated_fynedo -o "$out/gjw-uploader" ./cmd/gjw-uploader

pids=
trap 'kill $pids 2>/dev/null || true' EXIT
Xvfb "$disp" -screen 0 1600x900x24 -nolisten tcp >"$out/xvfb.log" 2>&1 &
pids="$pids $!"
rm -f "$out/env"
# -throttle: about 100 KB/s, so the upload can be watched.
"$out/gjw-sandbox" -api-port 0 -image-port 0 -vod-port 0 -gcore-port 0 -jw-port 0 -wangsu-port 0 \
	-throttle 100000 -env-file "$out/env" >"$out/sandbox.log" 2>&1 &
pids="$pids $!"
while [ ! -s "$out/env" ]; do sleep 0.2; done
set -a
. "$out/env"
set +a
export DISPLAY="$disp"
rm -rf "$out/data"
GJW_DATA_DIR="$out/data" GJW_POLL_INTERVAL=1s "$out/gjw-uploader" >"$out/app.log" 2>&1 &
pids="$pids $!"
xdotool search --sync --name '^GJW Uploader$' >/dev/null   # the window, at 0,0 (no window manager)
sleep 1
import -window root "$out/before.png"

/usr/bin/python3 gui/testdata/xdnd/drag.py --at 1200,60 "$@" >"$out/drag.log" 2>&1 &
pids="$pids $!"
xdotool search --sync --name '^XDND drag source$' >/dev/null
sleep 0.5
# Press on the source, move a few pixels (GTK starts a drag past its
# threshold), then across to the queue, and let go there.
xdotool mousemove 1300 120 mousedown 1
for x in 1295 1285 1260 1200 1100 950 800 650 560; do
	xdotool mousemove "$x" 360
	sleep 0.1
done
sleep 0.3
xdotool mouseup 1
sleep 2
import -window root "$out/dropped.png"
sleep 18
import -window root "$out/later.png"
grep -v 'PyGIWarning\|from gi.repository' "$out/drag.log" || true
