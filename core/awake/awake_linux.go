package awake

import (
	"fmt"
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
		return nil, fmt.Errorf("keeping the computer awake: no system bus: %w", err)
	}
	defer conn.Close() // the lock is the descriptor, not the connection
	var fd dbus.UnixFD
	err = conn.Object("org.freedesktop.login1", "/org/freedesktop/login1").
		Call("org.freedesktop.login1.Manager.Inhibit", 0, "sleep:idle", "GJW Uploader", why, "block").Store(&fd)
	if err != nil {
		return nil, fmt.Errorf("keeping the computer awake: logind refused: %w", err)
	}
	return func() { syscall.Close(int(fd)) }, nil
}
