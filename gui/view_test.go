package gui

import (
	"encoding/json"
	"testing"

	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// gjwView is a one-target job as the tests written for release 1 read it:
// the target's step, state, reason and offset with the GJW checkpoint's
// results (as core's tests read it, core/view_test.go).
type gjwView struct {
	Step, State, Error                   string
	Reason                               dest.Reason
	Offset                               int64
	ContentID, UploadID, VideoID, HLSURL string
	PosterURL, PosterHDURL               string
	MetaDirty                            bool
}

func view(j persist.Job) gjwView {
	if len(j.Targets) == 0 {
		return gjwView{}
	}
	t := j.Targets[0]
	cp, _ := gjw.ReadCheckpoint(t.Checkpoint)
	v := gjwView{
		Step: t.Step, State: t.State, Error: t.Error, Reason: dest.Reason(t.Reason), Offset: t.Offset,
		ContentID: cp.ContentID, UploadID: cp.UploadID, VideoID: cp.VideoID, HLSURL: cp.HLSURL,
		PosterURL: cp.PosterURL, PosterHDURL: cp.PosterHDURL, MetaDirty: t.SentRev < j.EditRev,
	}
	if v.Step == "" {
		v.Step = gjw.StepToken
	}
	return v
}

// sentOf is the bytes a one-target row shows as sent.
func sentOf(r *row) int64 {
	if len(r.job.Targets) == 0 {
		return 0
	}
	return r.transfer(r.job.Targets[0].Account).sent
}

// gjwTarget is the one GJW target of a job written by hand, at step with
// the checkpoint cp.
func gjwTarget(tb testing.TB, step, state string, cp gjw.Checkpoint) persist.Target {
	tb.Helper()
	t := persist.Target{Account: persist.V1Account, Platform: gjw.Platform, Step: step, State: state}
	if cp != (gjw.Checkpoint{}) {
		b, err := json.Marshal(cp)
		if err != nil {
			tb.Fatal(err)
		}
		t.Checkpoint = b
	}
	return t
}
