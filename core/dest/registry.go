package dest

import "sync"

// The step lists of every platform, registered by its driver package (cf.
// rclone's fs.Register), so a stored target's step can be named without
// building its account's driver: a removed account's targets still read
// "step 6 of 8 · uploading video".
var (
	registryMu sync.RWMutex
	registry   = map[string][]Step{}
)

// RegisterSteps records platform's steps, in order; drivers call it from init.
func RegisterSteps(platform string, steps []Step) {
	registryMu.Lock()
	registry[platform] = steps
	registryMu.Unlock()
}

// StepOf is platform's step id; the empty id (a target not started yet)
// is its first step. ok is false for an unknown platform or step.
func StepOf(platform, id string) (st Step, ok bool) {
	registryMu.RLock()
	steps := registry[platform]
	registryMu.RUnlock()
	if id == "" && len(steps) > 0 {
		return steps[0], true
	}
	for _, s := range steps {
		if s.ID == id {
			return s, true
		}
	}
	return st, false
}
