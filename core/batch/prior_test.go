package batch_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/batch"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// Already, target by target: published and queued targets are held,
// failed ones resumed, canceled ones and targets no job has uploaded anew;
// a job of the same path with another size or time is another file.
func TestAlreadyPerTarget(t *testing.T) {
	video := sandboxtest.WriteRandom(t, filepath.Join(t.TempDir(), "clip.mp4"), 1000)
	fi, err := os.Stat(video)
	if err != nil {
		t.Fatal(err)
	}
	job := func(id string, states ...string) persist.Job {
		j := persist.Job{ID: id, VideoPath: video, Size: fi.Size(), ModTime: fi.ModTime()}
		for i := 0; i < len(states); i += 2 {
			j.Targets = append(j.Targets, persist.Target{Account: states[i], State: states[i+1]})
		}
		return j
	}
	it := batch.Item{Video: video, Upload: core.NewUpload{VideoPath: video, Targets: []string{"gjw", "gc", "jw", "ws"}}}
	summary := func(p batch.Prior) string {
		var out []string
		for _, h := range p.Held {
			out = append(out, "held "+h.Target.Account+" "+h.Job.ID)
		}
		for _, h := range p.Failed {
			out = append(out, "failed "+h.Target.Account+" "+h.Job.ID)
		}
		return strings.Join(append(out, "new "+strings.Join(p.Targets, ",")), "; ")
	}
	other := job("other", "gjw", core.StateDone, "gc", core.StateDone, "jw", core.StateDone, "ws", core.StateDone)
	other.Size++ // the file was another then
	older := job("older", "gjw", core.StateDone)
	older.ModTime = older.ModTime.Add(-time.Second)

	for _, tc := range []struct {
		name string
		jobs []persist.Job
		want string
	}{
		{"nothing", nil, "new gjw,gc,jw,ws"},
		{"other files", []persist.Job{other, older, {ID: "elsewhere", VideoPath: video + ".mov", Size: fi.Size(), ModTime: fi.ModTime(),
			Targets: []persist.Target{{Account: "gjw", State: core.StateDone}}}}, "new gjw,gc,jw,ws"},
		{"each state", []persist.Job{job("a", "gjw", core.StateDone, "gc", core.StatePaused), job("b", "jw", core.StateFailed, "ws", core.StateCanceled)},
			"held gjw a; held gc a; failed jw b; new ws"},
		{"published wins", []persist.Job{job("a", "gjw", core.StateDone), job("b", "gjw", core.StateFailed), job("c", "gjw", core.StateCanceled)},
			"held gjw a; new gc,jw,ws"},
		{"the queue before a failure", []persist.Job{job("a", "gjw", core.StateFailed), job("b", "gjw", core.StateWaiting), job("c", "gjw", core.StateQueued)},
			"held gjw c; new gc,jw,ws"},
		{"the last failure", []persist.Job{job("a", "gjw", core.StateFailed), job("b", "gjw", core.StateFailed)}, "failed gjw b; new gc,jw,ws"},
	} {
		if got := summary(batch.Already(tc.jobs, it)); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}

	p := batch.Already([]persist.Job{job("a", "gjw", core.StateDone)}, it)
	if u, ok := p.New(it); !ok || strings.Join(u.Targets, ",") != "gc,jw,ws" {
		t.Fatalf("new upload %v %v", u.Targets, ok)
	}
	one := it
	one.Upload.Targets = []string{"gjw"}
	if _, ok := batch.Already([]persist.Job{job("a", "gjw", core.StateDone)}, one).New(one); ok {
		t.Fatal("a published video is uploaded again")
	}
	if u, ok := batch.Already(nil, one).New(one); !ok || strings.Join(u.Targets, ",") != "gjw" {
		t.Fatalf("a new video: %v %v", u.Targets, ok)
	}
}
