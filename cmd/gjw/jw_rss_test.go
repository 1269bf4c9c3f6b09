package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gjw-uploader/gjw-uploader/core/jw"
	jwsb "github.com/gjw-uploader/gjw-uploader/core/sandbox/jw"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
)

// TestJWUploadPeakRSS uploads a 1 GiB file to the JW sandbox with the
// default part sizing (5 MiB parts, the real rule) and checks the gjw
// process's peak RSS (VmHWM) stays under 48 MiB. Heavy (1 GiB on disk and
// loopback): it runs only with GJW_RSS_TEST=1.
func TestJWUploadPeakRSS(t *testing.T) {
	if os.Getenv("GJW_RSS_TEST") != "1" {
		t.Skip("set GJW_RSS_TEST=1 to upload 1 GiB and measure the peak RSS")
	}
	const size = 1 << 30
	_, run, _ := jwCLI(t, jwsb.Config{Polls: 1, MinPart: jwsb.MinPart}, 1000)
	t.Setenv("GJW_CHUNK_SIZE", "")
	video := filepath.Join(t.TempDir(), "big.mp4")
	sandboxtest.WriteRandom(t, video, size)
	cmd := exec.Command(buildGJW(t), "upload", video, "--title", "T", "--to", "jw", "--json")
	var out strings.Builder
	cmd.Stdout = &out
	hwm, maxrss, err := runPeakRSS(cmd)
	if err != nil {
		t.Fatalf("upload: %v\n%s", err, out.String())
	}
	res, err := jsonLines(out.String())
	if err != nil || len(res) != 1 {
		t.Fatalf("%v %s", err, out.String())
	}
	checkJW(t, run, res[0], size, 0)
	t.Logf("peak RSS of a 1 GiB JW upload: %.1f MiB (VmHWM; rusage's upper bound %.1f MiB), %d parts stored, %d in flight",
		float64(hwm)/(1<<20), float64(maxrss)/(1<<20), run.Server.Stats().PartPuts, jw.DefaultInFlight)
	if hwm > 48<<20 {
		t.Fatalf("peak RSS %.1f MiB, over 48 MiB", float64(hwm)/(1<<20))
	}
}
