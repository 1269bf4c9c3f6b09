package awake

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// logind is a stand-in for org.freedesktop.login1.Manager: Inhibit hands
// out the write end of a pipe, as logind hands out its lock's descriptor,
// and keeps the read end, which reads EOF once the caller closed it.
type logind struct {
	mu    sync.Mutex
	args  []string
	locks []*os.File // read ends
	sent  []*os.File // write ends, closed once sent
}

func (l *logind) Inhibit(what, who, why, mode string) (dbus.UnixFD, *dbus.Error) {
	r, w, err := os.Pipe()
	if err != nil {
		return 0, dbus.MakeFailedError(err)
	}
	fd := dbus.UnixFD(w.Fd()) // before the unlock: the test closes w once it holds mu
	l.mu.Lock()
	l.args = []string{what, who, why, mode}
	l.locks = append(l.locks, r)
	l.sent = append(l.sent, w)
	l.mu.Unlock()
	return fd, nil
}

// TestLogindInhibitOverDBus runs the real Linux inhibitor against a
// private dbus-daemon (given as DBUS_SYSTEM_BUS_ADDRESS) where a stand-in
// owns logind's name: the call, its arguments and the lock's descriptor
// are the real D-Bus exchange, and release closes the lock.
func TestLogindInhibitOverDBus(t *testing.T) {
	addr := privateBus(t)
	fake := &logind{}
	ownLogind(t, addr, fake)

	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", addr)
	release, err := System().Inhibit("uploading videos")
	if err != nil {
		t.Fatal(err)
	}
	fake.mu.Lock()
	args, lock := fake.args, fake.locks[0]
	for _, w := range fake.sent {
		w.Close() // sent: now only the caller holds the write end
	}
	fake.mu.Unlock()
	if strings.Join(args, "|") != "sleep:idle|GJW Uploader|uploading videos|block" {
		t.Fatalf("Inhibit(%q)", args)
	}

	eof := make(chan error, 1)
	go func() {
		_, err := lock.Read(make([]byte, 1))
		eof <- err
	}()
	select {
	case <-eof:
		t.Fatal("the lock was closed before release")
	case <-time.After(100 * time.Millisecond):
	}
	release()
	select {
	case <-eof: // EOF: the caller closed its descriptor, logind drops the lock
	case <-time.After(5 * time.Second):
		t.Fatal("release did not close the lock's descriptor")
	}
}

// refusingLogind answers every Inhibit as a polkit refusal does.
type refusingLogind struct{}

func (refusingLogind) Inhibit(what, who, why, mode string) (dbus.UnixFD, *dbus.Error) {
	return 0, dbus.NewError("org.freedesktop.DBus.Error.AccessDenied", []any{"Permission denied"})
}

// TestLogindRefusalsSayWhy: each way the Linux inhibitor fails is of a
// kind the app can word: no system bus and no logind on it are
// ErrNoService, logind saying no is ErrRefused.
func TestLogindRefusalsSayWhy(t *testing.T) {
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path="+t.TempDir()+"/none")
	if _, err := System().Inhibit("test"); !errors.Is(err, ErrNoService) || !strings.Contains(err.Error(), "no system bus") {
		t.Fatalf("no bus: %v", err)
	}
	addr := privateBus(t)
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", addr)
	if _, err := System().Inhibit("test"); !errors.Is(err, ErrNoService) || !strings.Contains(err.Error(), "no logind") {
		t.Fatalf("no logind on the bus: %v", err)
	}
	ownLogind(t, addr, refusingLogind{})
	if _, err := System().Inhibit("test"); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "Permission denied") {
		t.Fatalf("logind said no: %v", err)
	}
}

// privateBus starts a dbus-daemon of its own for the test and returns its
// address (the test is skipped where dbus-daemon is not installed).
func privateBus(t *testing.T) string {
	t.Helper()
	daemon, err := exec.LookPath("dbus-daemon")
	if err != nil {
		t.Skip("dbus-daemon is not installed (apt-get install dbus-daemon)")
	}
	cmd := exec.Command(daemon, "--session", "--nofork", "--print-address=1", "--address=unix:dir="+t.TempDir())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("dbus-daemon printed no address: %v", err)
	}
	return strings.TrimSpace(addr)
}

// ownLogind serves v as org.freedesktop.login1.Manager under logind's name
// on the bus at addr, until the test ends.
func ownLogind(t *testing.T, addr string, v any) {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := conn.Export(v, "/org/freedesktop/login1", "org.freedesktop.login1.Manager"); err != nil {
		t.Fatal(err)
	}
	if reply, err := conn.RequestName("org.freedesktop.login1", dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("owning logind's name: %v %v", reply, err)
	}
}
