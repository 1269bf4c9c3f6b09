package awake

import (
	"os"
	"os/exec"
	"strconv"
)

// system runs caffeinate -i -w PID (the system's own tool, no cgo): it
// holds an idle-sleep assertion until it is killed, and ends by itself if
// this process dies first.
type system struct{}

func (system) Inhibit(why string) (func(), error) {
	cmd := exec.Command("/usr/bin/caffeinate", "-i", "-w", strconv.Itoa(os.Getpid()))
	if err := cmd.Start(); err != nil {
		return nil, refused(ErrNoService, "caffeinate", err)
	}
	return func() { cmd.Process.Kill(); cmd.Wait() }, nil
}
