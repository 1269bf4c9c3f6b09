package dest

import (
	"context"
	"strings"

	"github.com/gjw-uploader/gjw-uploader/core/httpx"
)

// AccountChecker is a driver that can check its account's credentials with
// one cheap authorized call to the platform (an upload token, a listing of
// one item), so wrong ones are refused when they are entered rather than
// at the first upload. Nothing is created on the platform.
type AccountChecker interface {
	// CheckAccount returns nil when the platform accepts the credentials,
	// a *CheckError when it refuses them or cannot be reached, and any
	// other error when the check itself failed (the platform failed).
	CheckAccount(ctx context.Context) error
}

// Problem is what a credential check found wrong.
type Problem string

const (
	ProblemRefused     Problem = "refused"     // the platform refused the key or token
	ProblemUnknown     Problem = "unknown"     // the platform does not know the id (a site id)
	ProblemUnreachable Problem = "unreachable" // no answer: the platform could not be reached
)

// CheckError is a failed credential check: what is wrong and which of the
// account's fields it is about, by their secret field names ("api_key",
// "site_id", "access_token", ...; none when the platform cannot be
// reached). Err is the platform's answer; like every error here it never
// holds a secret.
type CheckError struct {
	Problem Problem
	Fields  []string
	Err     error
}

func (e *CheckError) Error() string {
	what := strings.ReplaceAll(strings.Join(e.Fields, " and "), "_", " ")
	var s string
	switch e.Problem {
	case ProblemRefused:
		s = "the platform refused the " + what
	case ProblemUnknown:
		s = "the platform does not know the " + what
	default:
		s = "cannot reach the platform"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *CheckError) Unwrap() error { return e.Err }

// Refused is a check the platform refused, about fields.
func Refused(err error, fields ...string) error {
	return &CheckError{Problem: ProblemRefused, Fields: fields, Err: err}
}

// Unknown is a check naming an id the platform does not know.
func Unknown(err error, fields ...string) error {
	return &CheckError{Problem: ProblemUnknown, Fields: fields, Err: err}
}

// CheckFailed is a check's error when the driver has no better reading of
// it: a call that got no answer is ProblemUnreachable, anything else (nil
// too) is returned as it is.
func CheckFailed(err error) error {
	if httpx.Unreachable(err) {
		return &CheckError{Problem: ProblemUnreachable, Err: err}
	}
	return err
}
