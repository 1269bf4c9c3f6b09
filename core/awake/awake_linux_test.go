package awake

import (
	"bufio"
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
	addr = strings.TrimSpace(addr)

	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fake := &logind{}
	if err := conn.Export(fake, "/org/freedesktop/login1", "org.freedesktop.login1.Manager"); err != nil {
		t.Fatal(err)
	}
	if reply, err := conn.RequestName("org.freedesktop.login1", dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("owning logind's name: %v %v", reply, err)
	}

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
