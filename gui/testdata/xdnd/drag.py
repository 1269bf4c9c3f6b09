#!/usr/bin/python3
"""A GTK 3 drag source for trying GJW Uploader's window with a real XDND drop.

    drag.py [--at X,Y] ITEM...

Shows a small window at X,Y (default 1150,40) that offers ITEM... as
text/uri-list when dragged from: local paths become file:// URIs, anything
with "://" (a web link, as a browser offers it) is offered as it is. Drive
the drag with xdotool (docs/gui.md, "A real drop under Xvfb"); the window
prints what happened ("offered", "drag-end", "drag-failed") and quits once
the drag is over, or after 60 s.

Needs the system Python with PyGObject and GTK 3 (Debian: python3-gi,
gir1.2-gtk-3.0).
"""
import os
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")
from gi.repository import GLib, Gdk, Gtk  # noqa: E402


def main(argv):
    at = (1150, 40)
    if len(argv) > 2 and argv[1] == "--at":
        x, y = argv[2].split(",")
        at, argv = (int(x), int(y)), argv[2:]
    items = argv[1:]
    if not items:
        sys.exit("usage: drag.py [--at X,Y] FILE|URL...")
    uris = [i if "://" in i else GLib.filename_to_uri(os.path.abspath(i), None) for i in items]

    win = Gtk.Window(title="XDND drag source")
    win.set_default_size(200, 120)
    win.move(*at)
    box = Gtk.EventBox()
    box.add(Gtk.Label(label="drag me:\n" + "\n".join(os.path.basename(i) for i in items)))
    win.add(box)

    box.drag_source_set(Gdk.ModifierType.BUTTON1_MASK, [], Gdk.DragAction.COPY)
    box.drag_source_add_uri_targets()

    def data_get(_w, _ctx, selection, _info, _time):
        selection.set_uris(uris)
        print("offered", " ".join(uris), flush=True)

    def drag_end(_w, _ctx):
        print("drag-end", flush=True)
        GLib.timeout_add(300, Gtk.main_quit)

    def drag_failed(_w, _ctx, result):
        print("drag-failed", result.value_nick, flush=True)
        return False

    box.connect("drag-data-get", data_get)
    box.connect("drag-end", drag_end)
    box.connect("drag-failed", drag_failed)
    win.connect("destroy", Gtk.main_quit)
    win.show_all()
    GLib.timeout_add_seconds(60, Gtk.main_quit)
    print("ready", flush=True)
    Gtk.main()


if __name__ == "__main__":
    main(sys.argv)
