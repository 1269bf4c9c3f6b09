package main

import (
	"bytes"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/sandbox"
)

// addGJW adds a GJW account named name with acct's tokens.
func (c *cli) addGJW(r runner, name string, acct sandbox.Account) {
	c.t.Helper()
	c.mu.Lock()
	c.tokens = append(c.tokens, acct.AccessToken, acct.RefreshToken)
	c.mu.Unlock()
	o := c.gjw(r, "account", "add", "gjw", "--name", name, "--access-token", acct.AccessToken,
		"--refresh-token", acct.RefreshToken, "--channel", acct.ChannelID, "--expires-in", strconv.FormatInt(acct.ExpiresIn, 10))
	if o.code != 0 {
		c.t.Fatalf("account add %s: %v", name, o)
	}
}

// One drop to two Gan Jing World channels, SIGKILLed while both upload:
// gjw resume finishes both, with one content entry per channel and each
// TUS upload created once and sent at most one chunk twice.
func TestCrossPostTwoChannelsKillThenResume(t *testing.T) {
	const chunk = 1 << 20
	const size = 12*chunk + 777
	c := newCLI(t, sandbox.Config{Throttle: 32 << 20}, size)
	c.setChunk(t, chunk)
	second := c.sb.Server.NewChannel("second-channel")
	c.addGJW(binary, "a", c.sb.Server.DemoAccount())
	c.addGJW(binary, "b", second)

	cmd := exec.Command(buildGJW(t), "upload", c.video, "--title", "Twice", "--thumbnail", c.thumb, "--to", "a,b", "--json")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for st := c.sb.Server.Stats(); st.TusCreates < 2 || st.TusPatchBytes < 2*chunk; st = c.sb.Server.Stats() {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("both uploads never started: %+v\n%s", st, errb.String())
		}
		time.Sleep(time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	killed := c.sb.Server.Stats()
	if killed.AddContent != 2 || killed.TusCreates != 2 || killed.TusPatchBytes >= 2*size {
		t.Fatalf("at the kill: %+v", killed)
	}

	o := c.gjw(binary, "resume", "--json")
	res, err := jsonLines(o.stdout)
	if o.code != 0 || err != nil || len(res) != 2 {
		t.Fatalf("resume: %v (%v)", o, err)
	}
	for _, r := range res {
		if r.State != "done" || r.Platform != "gjw" || r.ID == "" || r.ID != r.ContentID || r.URL == "" {
			t.Fatalf("resume result: %+v", r)
		}
	}
	if res[0].Account == res[1].Account || res[0].JobID != res[1].JobID {
		t.Fatalf("want both accounts of one job: %+v", res)
	}
	for _, ch := range []string{c.sb.Server.DemoAccount().ChannelID, "second-channel"} {
		contents := c.sb.Server.ContentsOf(ch)
		if len(contents) != 1 || !contents[0].Published || contents[0].VideoID == "" {
			t.Fatalf("channel %s: want one published content entry, got %+v", ch, contents)
		}
	}
	st := c.sb.Server.Stats()
	if st.AddContent != 2 || st.TusCreates != 2 || st.UpdateContent != 2 {
		t.Fatalf("after resume: %+v", st)
	}
	if resent := st.TusPatchBytes - 2*size; resent > 2*chunk {
		t.Fatalf("re-sent %d bytes, more than one chunk per upload", resent)
	}
}
