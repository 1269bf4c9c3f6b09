//go:build !linux && !windows && !darwin

package awake

import "errors"

type system struct{}

func (system) Inhibit(string) (func(), error) {
	return nil, errors.New("keeping the computer awake is not supported on this system")
}
