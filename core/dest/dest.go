// Package dest is the seam between the generic upload queue (package core)
// and the platforms it publishes to. A Driver knows one platform; the queue
// knows none. A driver publishes one source file to one account, reports its
// steps and progress through a Progress, and keeps its own resume state (its
// checkpoint) durable through Progress.Checkpoint before every call that
// creates something on the platform. The queue stores that state as opaque
// bytes and hands it back on the next run.
//
// A new platform needs a Driver, a strict sandbox, and an account form; see
// docs/architecture.md.
package dest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gjw-uploader/gjw-uploader/persist"
)

// Source is the file being published and its poster picture.
type Source struct {
	Path    string
	Size    int64
	ModTime time.Time
	Poster  string // path of the poster image; may be empty
}

// Meta is what the creator says about a video (generic fields plus the
// per-platform extras such as GJW's category).
type Meta = persist.VideoMeta

// Step is one stage of a driver's work, in the driver's words.
type Step struct {
	ID    string // stable, stored in the target ("content", "upload")
	Title string // what users read ("creating content entry")
	N, Of int    // its number as users see it: "step N of Of"
	// Transfer marks the step that sends the file's bytes.
	Transfer bool
	// Processing marks the step that waits for the platform's processing.
	Processing bool
}

// Result is what a published target yields.
type Result struct {
	ID  string            // the platform's id of the video
	URL string            // its public page, when the platform has one
	Ext map[string]string // platform extras (GJW: video_id, hls_url)
}

// Edition is the metadata and poster a driver should send, with the job's
// edit revision they belong to.
type Edition struct {
	Source Source
	Meta   Meta
	Rev    int
}

// Progress is how a running driver talks to the queue. Its methods are safe
// for concurrent use; Checkpoint is durable when it returns.
type Progress interface {
	// Step announces the step now running (one of the driver's Steps).
	Step(id string)
	// Sent reports the bytes the platform has acknowledged: once when the
	// transfer starts (what the platform already has) and after every
	// acknowledged chunk. The queue's bytes, speed and ETA are these.
	Sent(acked int64)
	// Processing reports the platform's processing percentage.
	Processing(percent int)
	// Retrying reports a wait before a retry ("retrying in 3 s").
	Retrying(op string, wait time.Duration, err error)
	// Checkpoint stores the driver's resume state durably.
	Checkpoint(state any) error
	// Latest is the job's current metadata and poster (edits made while
	// the target runs are sent by the step that sends metadata last).
	Latest() (Edition, error)
	// Published records that the platform holds edition rev.
	Published(rev int)
}

// Driver publishes to one account of one platform. The queue calls Publish
// for a target until it returns nil; state is the last checkpoint (nil on
// the first run).
type Driver interface {
	// Platform is the registry name ("gjw").
	Platform() string
	// Steps lists the driver's steps in order.
	Steps() []Step
	// Check validates what this platform requires of a new upload, before
	// anything is queued, with a one-line error naming the field.
	Check(src Source, m Meta) error
	// Publish runs (or resumes) the target to its end.
	Publish(ctx context.Context, state json.RawMessage, p Progress) (Result, error)
	// Update sends an edited edition to a published target.
	Update(ctx context.Context, state json.RawMessage, ed Edition, p Progress) error
}

// Reason says why a target stopped; it is stored and acted on, so it is a
// code, never matched from message text.
type Reason string

const (
	ReasonNone             Reason = ""
	ReasonSignedOut        Reason = "signed_out"        // waits for sign-in
	ReasonNeedPoster       Reason = "need_poster"       // waits for a poster
	ReasonFileChanged      Reason = "file_changed"      // the video changed or vanished
	ReasonGaveUp           Reason = "gave_up"           // retries exhausted
	ReasonProcessingFailed Reason = "processing_failed" // the platform could not process it
	ReasonAmbiguousCreate  Reason = "ambiguous_create"  // a create may have happened: not repeated
	ReasonRefused          Reason = "refused"           // the platform refused a request
	ReasonUnreachable      Reason = "unreachable"       // retries exhausted without any answer from the platform
	ReasonPosterRefused    Reason = "poster_refused"    // the platform refused the poster image: another is needed
	ReasonFailed           Reason = "failed"            // anything else
	// ReasonOffline: the platform could not be reached through every
	// retry; the queue tries again as soon as the connection returns.
	ReasonOffline Reason = "offline"
)

// Waits reports whether a target stopped for this reason waits (for the
// creator to sign in or choose a poster, or for the connection to return)
// rather than having failed.
func (r Reason) Waits() bool {
	return r == ReasonSignedOut || r == ReasonNeedPoster || r == ReasonOffline
}

// StopError is a failure with its reason code.
type StopError struct {
	Reason Reason
	Err    error
}

func (e *StopError) Error() string { return e.Err.Error() }
func (e *StopError) Unwrap() error { return e.Err }

// Stop marks err with reason r.
func Stop(r Reason, err error) error {
	if err == nil {
		return nil
	}
	return &StopError{Reason: r, Err: err}
}

// ReasonOf is the reason code an error carries, or ReasonFailed.
func ReasonOf(err error) Reason {
	var se *StopError
	if errors.As(err, &se) {
		return se.Reason
	}
	return ReasonFailed
}

// StepError is a failure with the step it happened in.
type StepError struct {
	Step Step
	Err  error
}

func (e *StepError) Error() string {
	return fmt.Sprintf("step %d (%s): %v", e.Step.N, e.Step.Title, e.Err)
}
func (e *StepError) Unwrap() error { return e.Err }

// Factory builds the driver of one account.
type Factory func(account string) (Driver, error)
