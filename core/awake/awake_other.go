//go:build !linux && !windows && !darwin

package awake

type system struct{}

func (system) Inhibit(string) (func(), error) { return nil, ErrUnsupported }
