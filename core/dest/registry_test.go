package dest_test

import (
	"testing"

	"github.com/gjw-uploader/gjw-uploader/core/dest"
	_ "github.com/gjw-uploader/gjw-uploader/core/gjw" // registers its steps
)

func TestStepOfNamesARegisteredPlatformsSteps(t *testing.T) {
	if st, ok := dest.StepOf("gjw", "content"); !ok || st.N != 4 || st.Of != 8 || st.Title != "creating content entry" {
		t.Fatalf("gjw content: %+v %v", st, ok)
	}
	if st, ok := dest.StepOf("gjw", ""); !ok || st.ID != "token" {
		t.Fatalf("gjw not started: %+v %v", st, ok)
	}
	for _, c := range [][2]string{{"gjw", "nope"}, {"nowhere", "upload"}, {"", ""}} {
		if _, ok := dest.StepOf(c[0], c[1]); ok {
			t.Errorf("StepOf(%q, %q) is known", c[0], c[1])
		}
	}
}

func TestReasonOf(t *testing.T) {
	err := &dest.StepError{Step: dest.Step{N: 6, Title: "uploading video"}, Err: dest.Stop(dest.ReasonSignedOut, errString("no session"))}
	if dest.ReasonOf(err) != dest.ReasonSignedOut || !dest.ReasonOf(err).Waits() || err.Error() != "step 6 (uploading video): no session" {
		t.Fatalf("%v: %q", err, dest.ReasonOf(err))
	}
	if dest.ReasonOf(errString("x")) != dest.ReasonFailed || dest.ReasonFailed.Waits() {
		t.Fatal("an uncoded error is not a plain failure")
	}
}

type errString string

func (e errString) Error() string { return string(e) }
