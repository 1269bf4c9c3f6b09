package awake

import (
	"errors"
	"syscall"

	"github.com/godbus/dbus/v5"
)

// system takes a logind inhibitor lock ("sleep:idle", mode block) on the
// system bus: logind keeps the machine from suspending, and from idling
// into sleep, until the lock's file descriptor is closed
// (https://www.freedesktop.org/wiki/Software/systemd/inhibit/).
// DBUS_SYSTEM_BUS_ADDRESS picks another bus, as everywhere in D-Bus.
type system struct{}

func (system) Inhibit(why string) (func(), error) {
	conn, err := dbus.ConnectSystemBus()
	if err != nil {
		return nil, refused(ErrNoService, "no system bus", err)
	}
	defer conn.Close() // the lock is the descriptor, not the connection
	var fd dbus.UnixFD
	err = conn.Object("org.freedesktop.login1", "/org/freedesktop/login1").
		Call("org.freedesktop.login1.Manager.Inhibit", 0, "sleep:idle", "GJW Uploader", why, "block").Store(&fd)
	if err != nil {
		kind, what := ErrRefused, "logind refused"
		var derr dbus.Error
		if errors.As(err, &derr) && (derr.Name == "org.freedesktop.DBus.Error.ServiceUnknown" || derr.Name == "org.freedesktop.DBus.Error.NameHasNoOwner") {
			kind, what = ErrNoService, "no logind" // nothing owns logind's name
		}
		return nil, refused(kind, what, err)
	}
	return func() { syscall.Close(int(fd)) }, nil
}
