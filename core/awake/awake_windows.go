package awake

import (
	"runtime"

	"golang.org/x/sys/windows"
)

var setThreadExecutionState = windows.NewLazySystemDLL("kernel32.dll").NewProc("SetThreadExecutionState")

const (
	esContinuous     = 0x80000000
	esSystemRequired = 0x00000001
)

// system calls SetThreadExecutionState(ES_CONTINUOUS | ES_SYSTEM_REQUIRED)
// (the display may still turn off). The state belongs to the calling
// thread, so one goroutine locked to its thread sets it, holds it, and
// clears it on release.
type system struct{}

func (system) Inhibit(why string) (func(), error) {
	if err := setThreadExecutionState.Find(); err != nil {
		return nil, refused(ErrNoService, "kernel32", err)
	}
	errc := make(chan error, 1)
	stop := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if r, _, err := setThreadExecutionState.Call(esContinuous | esSystemRequired); r == 0 {
			errc <- refused(ErrRefused, "SetThreadExecutionState", err)
			return
		}
		errc <- nil
		<-stop
		setThreadExecutionState.Call(esContinuous)
	}()
	if err := <-errc; err != nil {
		return nil, err
	}
	return func() { close(stop) }, nil
}
