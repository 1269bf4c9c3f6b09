# Installs GJW Uploader from this folder (the Linux archive make dist writes):
#
#	make install [PREFIX=/usr/local] [DESTDIR=]   # sudo for a system folder
#	make install PREFIX=$HOME/.local              # for one user, no sudo
#	make uninstall PREFIX=...
#
# The app needs the OpenGL and X11 libraries every desktop has (Debian:
# libgl1 libx11-6 libxcursor1 libxrandr2 libxinerama1 libxi6 libxxf86vm1),
# and ffmpeg for poster frames (optional).
PREFIX ?= /usr/local
APP_ID := io.github.gjwuploader.app
FILES  := share/applications/$(APP_ID).desktop share/metainfo/$(APP_ID).metainfo.xml \
	share/icons/hicolor/512x512/apps/$(APP_ID).png share/pixmaps/$(APP_ID).png

.PHONY: install uninstall
install:
	install -Dm755 bin/gjw-uploader $(DESTDIR)$(PREFIX)/bin/gjw-uploader
	for f in $(FILES); do install -Dm644 $$f $(DESTDIR)$(PREFIX)/$$f || exit 1; done
	@# The menu entry starts the installed binary, wherever PREFIX is.
	sed -i 's,^Exec=gjw-uploader,Exec=$(PREFIX)/bin/gjw-uploader,' $(DESTDIR)$(PREFIX)/share/applications/$(APP_ID).desktop
	$(REFRESH)

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/gjw-uploader $(addprefix $(DESTDIR)$(PREFIX)/,$(FILES))
	$(REFRESH)

# Menus and icon themes see the change at once (not when staging in DESTDIR).
REFRESH = -@[ -n "$(DESTDIR)" ] || { \
	! command -v update-desktop-database >/dev/null || update-desktop-database -q $(PREFIX)/share/applications; \
	! command -v gtk-update-icon-cache >/dev/null || gtk-update-icon-cache -qtf $(PREFIX)/share/icons/hicolor; }
