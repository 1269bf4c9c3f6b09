package gui

import (
	"image/color"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

func init() {
	// No poster frames (title cards instead) unless a test asks for
	// ffmpeg (ffmpegInstalled).
	findFFmpeg = noFFmpeg
}

func rowPaths(h *harness) []string {
	var out []string
	for _, r := range h.ui.uploads.rows {
		out = append(out, filepath.Base(r.job.VideoPath))
	}
	slices.Sort(out)
	return out
}

func TestDropQueuesVideosAndFoldersAndRefusesTheRest(t *testing.T) {
	p := newPlatform(t)
	h := newHarness(t, p, harnessOpts{})
	dir := t.TempDir()
	a := sandboxtest.WriteRandom(t, filepath.Join(dir, "holiday_2024.mp4"), testSize)
	notes := sandboxtest.WriteRandom(t, filepath.Join(dir, "notes.txt"), 100)
	folder := filepath.Join(dir, "clips")
	sandboxtest.WriteRandom(t, filepath.Join(folder, "one.mkv"), testSize)
	sandboxtest.WriteRandom(t, filepath.Join(folder, "sub", "two.WEBM"), testSize)
	sandboxtest.WriteRandom(t, filepath.Join(folder, ".hidden", "three.mp4"), testSize)
	sandboxtest.WriteRandom(t, filepath.Join(folder, "cover.jpg"), 100)
	empty := filepath.Join(dir, "no-videos")
	os.MkdirAll(empty, 0o755)

	if h.ui.uploads.msgBar.Visible() || !h.ui.uploads.hint.Visible() {
		t.Fatal("before any drop: a message is shown, or the drop hint is not")
	}
	p.holdPatches() // the uploads stay unfinished until the re-drop below

	h.ui.Drop([]string{a, notes, folder, empty})
	h.waitDrops()

	if got, want := rowPaths(h), []string{"holiday_2024.mp4", "one.mkv", "two.WEBM"}; !slices.Equal(got, want) {
		t.Fatalf("rows %v, want %v", got, want)
	}
	jobs, _ := h.engine.Jobs()
	if len(jobs) != 3 {
		t.Fatalf("engine has %d jobs, want 3", len(jobs))
	}
	msg := h.ui.uploads.msg.Text
	for _, want := range []string{"Queued 3 videos", "notes.txt (not a video file)", "no-videos (folder without videos)"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if !h.ui.uploads.msgBar.Visible() {
		t.Error("message bar not shown")
	}
	if imp := h.ui.uploads.msg.Importance; imp != widget.WarningImportance {
		t.Errorf("a drop with refused files shows importance %v, want a warning", imp)
	}
	if h.ui.uploads.hint.Visible() {
		t.Error("drop hint still shown over a non-empty queue")
	}
	r := h.ui.uploads.row(jobs[0].ID)
	if r.job.Meta.Title != core.TitleFromFilename(r.job.VideoPath) {
		t.Errorf("title %q not taken from the file name", r.job.Meta.Title)
	}

	// A non-video alone: refused, nothing queued.
	h.ui.Drop([]string{notes})
	h.waitDrops()
	if n := len(h.ui.uploads.rows); n != 3 {
		t.Fatalf("a text file was queued: %d rows", n)
	}
	// The earlier message also said "Not queued: notes.txt": this one must
	// replace it, and say nothing was queued.
	if msg := h.ui.uploads.msg.Text; !strings.Contains(msg, "Not queued: notes.txt") ||
		strings.Contains(msg, "Queued") || strings.Contains(msg, "no-videos") {
		t.Errorf("refusal message %q", msg)
	}

	// The window's drop handler takes URIs; a video already queued is not
	// queued twice, a web link is refused.
	b := sandboxtest.WriteRandom(t, filepath.Join(dir, "B-roll.MOV"), testSize)
	web, _ := storage.ParseURI("https://example.com/video.mp4")
	h.ui.DropURIs([]fyne.URI{storage.NewFileURI(b), storage.NewFileURI(a), web})
	h.waitDrops()
	if got := len(h.ui.uploads.rows); got != 4 {
		t.Fatalf("%d rows after dropping one new video", got)
	}
	msg = h.ui.uploads.msg.Text
	for _, want := range []string{"Queued 1 video", "1 video was already in the queue", "https://example.com/video.mp4"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}

	// Without ffmpeg a dropped video gets a title card as poster: it
	// uploads without waiting for one.
	p.releasePatches()
	id := h.ui.uploads.rows[0].job.ID
	h.eventually("the upload to publish", func() bool { return h.job(id).State == core.StateDone })
	if p := h.job(id).ThumbnailPath; !strings.HasSuffix(p, "-card.jpg") {
		t.Fatalf("poster %q, want a title card", p)
	}

	// Drops go to the tab on show: on Articles, videos are not queued here.
	h.ui.tabs.Select(h.ui.articlesTab)
	c := sandboxtest.WriteRandom(t, filepath.Join(dir, "for-articles.mp4"), testSize)
	h.ui.Drop([]string{c})
	h.waitDrops()
	if got := len(h.ui.uploads.rows); got != 4 {
		t.Fatalf("a drop on the Articles tab queued a video (%d rows)", got)
	}
	if drops := h.ui.articles.(*fakeArticles).drops; len(drops) != 1 || drops[0][0] != c {
		t.Fatalf("the Articles tab got drops %v", drops)
	}
	// A link dropped there goes to it too, which refuses it with a message.
	h.ui.DropURIs([]fyne.URI{web})
	h.waitDrops()
	if drops := h.ui.articles.(*fakeArticles).drops; len(drops) != 2 || !slices.Equal(drops[1], []string{web.String()}) {
		t.Fatalf("the Articles tab got drops %v", drops)
	}
	// ...and on Account or Settings they are videos for the queue.
	h.ui.tabs.Select(h.ui.settingsTab)
	h.ui.Drop([]string{c})
	h.waitDrops()
	if got := len(h.ui.uploads.rows); got != 5 || h.ui.tabs.Selected() != h.ui.uploadsTab {
		t.Fatalf("a drop on Settings: %d rows, tab %s", got, h.ui.tabs.Selected().Text)
	}
}

// TestPosterFrameWithRealFFmpeg takes the poster frame with the real
// ffmpeg (make deps installs it): a dropped video with no poster publishes
// with a frame of itself, shown in its row.
func TestPosterFrameWithRealFFmpeg(t *testing.T) {
	video := sandboxtest.WriteVideo(t, filepath.Join(t.TempDir(), "test_pattern.mp4"), 1.5)
	ffmpegInstalled(t)
	p := newPlatform(t)
	h := newHarness(t, p, harnessOpts{})
	h.ui.Drop([]string{video})
	h.waitDrops()
	id := h.ui.uploads.rows[0].job.ID
	h.eventually("the upload to publish with a frame as poster", func() bool { return h.job(id).State == core.StateDone })
	j := h.job(id)
	if filepath.Dir(j.ThumbnailPath) != filepath.Join(h.ui.deps.DataDir, "posters") || strings.Contains(j.ThumbnailPath, "card") || view(j).PosterURL == "" {
		t.Fatalf("poster %q / %q", j.ThumbnailPath, view(j).PosterURL)
	}
	if err := gjw.ValidateImage(j.ThumbnailPath); err != nil {
		t.Fatalf("the frame is not an image the platform takes: %v", err)
	}
	h.eventuallyRow(id, "the published row with its poster", func(rv *rowView) bool { return rv.copyLink.Visible() })
}

func TestRowButtonsDriveTheEngine(t *testing.T) {
	p := newPlatform(t)
	h := newHarness(t, p, harnessOpts{})
	dir := t.TempDir()
	thumb := sandboxtest.WritePoster(t, filepath.Join(dir, "poster.png"), color.NRGBA{40, 120, 200, 255})
	video := sandboxtest.WriteRandom(t, filepath.Join(dir, "talk.mp4"), testSize)
	p.slowPatch.Store(int64(40 * time.Millisecond))

	if err := h.add(video, thumb); err != nil {
		t.Fatal(err)
	}
	id := h.ui.uploads.rows[0].job.ID

	// Mid-upload: the row shows bytes (and soon speed), then Pause stops it.
	h.eventually("the upload to send bytes", func() bool {
		r := h.row(id)
		return r.job.State == core.StateRunning && view(r.job).Step == gjw.StepUpload && sentOf(r) > 0 && sentOf(r) < r.job.Size
	})
	rv := h.rowView(id)
	if !strings.Contains(rv.detail.Text, " of ") || !rv.pause.Visible() || rv.resume.Visible() {
		t.Fatalf("uploading row: detail %q, pause %v, resume %v", rv.detail.Text, rv.pause.Visible(), rv.resume.Visible())
	}
	if rv.bar.Value <= 0 || rv.bar.Value >= 1 {
		t.Fatalf("progress %v mid-upload", rv.bar.Value)
	}
	test.Tap(rv.pause)
	h.eventually("pause", func() bool { return h.job(id).State == core.StatePaused })
	h.eventually("the row to show paused", func() bool { return h.rowView(id).resume.Visible() })
	paused := h.job(id)
	if view(paused).Offset <= 0 || view(paused).Offset >= paused.Size {
		t.Fatalf("paused at offset %d of %d", view(paused).Offset, paused.Size)
	}

	// Resume continues from the server's offset and publishes.
	p.slowPatch.Store(0)
	test.Tap(h.rowView(id).resume)
	// (On a loaded machine the rest of the upload may even be done already.)
	if s := h.job(id).State; s != core.StateQueued && s != core.StateRunning && s != core.StateDone {
		t.Fatalf("after Resume the job is %s", s)
	}
	h.eventually("publish", func() bool { return h.job(id).State == core.StateDone })
	h.eventually("the row to show the link", func() bool { return h.rowView(id).copyLink.Visible() })
	rv = h.rowView(id)
	// The sandbox's page of it (sandbox mode: the hosts are on this computer).
	if want := p.hosts.OnSite(core.VideoURL(view(h.job(id)).ContentID)); rv.detail.Text != want {
		t.Fatalf("published row shows %q, want the link %q", rv.detail.Text, want)
	}
	test.Tap(rv.copyLink)
	if got := h.app.Clipboard().Content(); got != p.hosts.OnSite(core.VideoURL(view(h.job(id)).ContentID)) {
		t.Fatalf("clipboard %q", got)
	}
	if st := p.sb.Stats(); st.AddContent != 1 || st.TusCreates != 1 {
		t.Fatalf("pause/resume made a second content entry or upload: %+v", st)
	}
	notes := h.app.notifications()
	if len(notes) == 0 || notes[len(notes)-1].Title != "Published: talk" {
		t.Fatalf("notifications %+v", notes)
	}

	// Retry: the platform refuses the content entry (the call, and its one
	// retry with the poster uploaded again); the row says so in words, the
	// HTTP line is under Details, and Retry finishes the upload.
	p.sb.Inject(sandbox.Fault{Host: "api", Path: "/v1.0c/add-content", Status: 422, Times: 2})
	video2 := sandboxtest.WriteRandom(t, filepath.Join(dir, "second.mp4"), testSize)
	if err := h.add(video2, thumb); err != nil {
		t.Fatal(err)
	}
	id2 := h.ui.uploads.rows[1].job.ID
	h.eventually("the failure", func() bool { return h.row(id2).job.State == core.StateFailed })
	rv = h.rowView(id2)
	if !rv.retry.Visible() || !strings.Contains(rv.detail.Text, "Gan Jing World refused the upload") || rv.pause.Visible() ||
		!strings.Contains(rv.status.Text, "Failed · Step 4 of 8") {
		t.Fatalf("failed row: retry %v, status %q, detail %q", rv.retry.Visible(), rv.status.Text, rv.detail.Text)
	}
	if _, tech := problem(h.row(id2).transfer("gjw").err, h.row(id2).job.Targets[0]); !strings.Contains(tech, "HTTP 422") {
		t.Fatalf("Details would say %q", tech)
	}
	if n := h.app.notifications(); n[len(n)-1].Title != "Upload failed: second" {
		t.Fatalf("no failure notification: %+v", n[len(n)-1])
	}
	test.Tap(rv.retry)
	h.eventually("the retried upload to publish", func() bool { return h.job(id2).State == core.StateDone })

	// Cancel before anything reached the platform: no question asked.
	p.slowPatch.Store(int64(300 * time.Millisecond))
	h.engine.SetParallel(1)
	video3 := sandboxtest.WriteRandom(t, filepath.Join(dir, "third.mp4"), testSize)
	video4 := sandboxtest.WriteRandom(t, filepath.Join(dir, "fourth.mp4"), testSize)
	h.add(video3, thumb)
	h.add(video4, thumb)
	id3, id4 := h.ui.uploads.rows[2].job.ID, h.ui.uploads.rows[3].job.ID
	h.eventually("the third upload to run", func() bool { return view(h.row(id3).job).Step == gjw.StepUpload })
	rv4 := h.rowView(id4)
	if !rv4.up.Visible() || rv4.down.Visible() {
		t.Fatalf("last queued row: up %v down %v", rv4.up.Visible(), rv4.down.Visible())
	}
	test.Tap(rv4.cancel)
	if s := h.job(id4).State; s != core.StateCanceled {
		t.Fatalf("cancel left the job %s", s)
	}
	// Cancel once the content entry exists: confirmed in a dialog.
	test.Tap(h.rowView(id3).cancel)
	h.confirm()
	h.eventually("cancel", func() bool { return h.job(id3).State == core.StateCanceled })
	h.eventually("the canceled row", func() bool { return strings.Contains(h.rowView(id3).status.Text, "Canceled") })

	// Clear finished removes published and canceled rows, in the engine too
	// (it clears what the rows show, so wait until every row shows its end).
	h.eventually("every row to show it ended", func() bool {
		for _, r := range h.ui.uploads.rows {
			if core.Unfinished(r.job) {
				return false
			}
		}
		return len(h.ui.uploads.rows) == 4
	})
	test.Tap(h.ui.uploads.clearBtn)
	if n := len(h.ui.uploads.rows); n != 0 {
		t.Fatalf("%d rows after Clear finished", n)
	}
	if jobs, _ := h.engine.Jobs(); len(jobs) != 0 {
		t.Fatalf("%d jobs after Clear finished", len(jobs))
	}
	if !h.ui.uploads.hint.Visible() {
		t.Fatal("the drop hint is not back")
	}
}

func TestQueueOrderCanChangeBeforeStart(t *testing.T) {
	p := newPlatform(t)
	h := newHarness(t, p, harnessOpts{noStart: true})
	dir := t.TempDir()
	thumb := sandboxtest.WritePoster(t, filepath.Join(dir, "poster.png"), color.NRGBA{40, 120, 200, 255})
	for _, n := range []string{"a.mp4", "b.mp4", "c.mp4"} {
		if err := h.add(sandboxtest.WriteRandom(t, filepath.Join(dir, n), testSize), thumb); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond)
	}
	names := func() string {
		var s []string
		for _, r := range h.ui.uploads.rows {
			s = append(s, r.job.Meta.Title)
		}
		return strings.Join(s, ",")
	}
	last := h.ui.uploads.rows[2].job.ID
	test.Tap(h.rowView(last).up)
	h.pump()
	if got := names(); got != "a,c,b" {
		t.Fatalf("after moving c up: %s", got)
	}
	if got := h.rowView(h.ui.uploads.rows[0].job.ID).detail.Text; got != "Number 1 in line" {
		t.Fatalf("first row says %q", got)
	}
	jobs, _ := h.engine.Jobs()
	if jobs[1].ID != last {
		t.Fatal("the engine's queue order did not change")
	}
	test.Tap(h.rowView(h.ui.uploads.rows[0].job.ID).down)
	h.pump()
	if got := names(); got != "c,a,b" {
		t.Fatalf("after moving a down: %s", got)
	}
}

func TestDetailsEditBeforeDuringAndAfterUpload(t *testing.T) {
	p := newPlatform(t)
	h := newHarness(t, p, harnessOpts{})
	dir := t.TempDir()
	thumb := sandboxtest.WritePoster(t, filepath.Join(dir, "poster.png"), color.NRGBA{40, 120, 200, 255})
	p.slowPatch.Store(int64(30 * time.Millisecond))
	if err := h.add(sandboxtest.WriteRandom(t, filepath.Join(dir, "draft_cut.mp4"), testSize), thumb); err != nil {
		t.Fatal(err)
	}
	id := h.ui.uploads.rows[0].job.ID
	h.eventually("the upload", func() bool { return view(h.row(id).job).Step == gjw.StepUpload })
	h.ui.uploads.list.Select(0)
	d := h.ui.uploads.details
	if d.title.Text != "draft cut" || d.vis.Selected != "public" || d.lang.Text != "en-US" {
		t.Fatalf("form shows %q %q %q", d.title.Text, d.vis.Selected, d.lang.Text)
	}
	d.title.SetText("Final cut")
	d.desc.SetText("Shot on a phone.")
	d.vis.SetSelected("private")
	d.kids.SetChecked(true)
	test.Tap(d.save)
	h.eventually("the save", func() bool { return h.job(id).Meta.Title == "Final cut" })
	h.eventually("the saved message", func() bool { return strings.HasPrefix(d.result.Text, "Saved") })
	p.slowPatch.Store(0)
	h.eventually("publish", func() bool { return h.job(id).State == core.StateDone })
	j := h.job(id)
	c, _ := p.sb.Content(view(j).ContentID)
	if c.Fields["title"] != "Final cut" || c.Fields["visibility"] != "private" || c.Fields["made_for_kids"] != true || c.Fields["description"] != "Shot on a phone." {
		t.Fatalf("published fields %v", c.Fields)
	}
	// After publishing, a change goes out with update-content.
	updates := c.Updates
	h.eventually("the form to offer an update", func() bool { return strings.Contains(d.save.Text, "update on Gan Jing World") })
	d.title.SetText("Final cut (director's)")
	test.Tap(d.save)
	h.eventually("update-content", func() bool {
		c, _ := p.sb.Content(view(j).ContentID)
		return c.Updates > updates && c.Fields["title"] == "Final cut (director's)"
	})
	h.eventually("the saved message", func() bool { return strings.Contains(d.result.Text, "updated on Gan Jing World") })
}

func TestRestartRestoresAndResumes(t *testing.T) {
	p := newPlatform(t)
	dataDir := t.TempDir()
	db, err := persist.Open(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	acct := p.sb.DemoAccount()
	db.PutCredentials(persist.Credentials{AccessToken: acct.AccessToken, RefreshToken: acct.RefreshToken, ChannelID: acct.ChannelID,
		ExpiresAt: time.Now().Add(time.Duration(acct.ExpiresIn) * time.Second)})
	files := t.TempDir()
	thumb := sandboxtest.WritePoster(t, filepath.Join(files, "poster.png"), color.NRGBA{40, 120, 200, 255})

	h := newHarness(t, p, harnessOpts{db: db})
	h.add(sandboxtest.WriteRandom(t, filepath.Join(files, "first.mp4"), testSize), thumb)
	done := h.ui.uploads.rows[0].job.ID
	h.eventually("the first upload to publish", func() bool { return h.job(done).State == core.StateDone })
	p.slowPatch.Store(int64(40 * time.Millisecond))
	h.add(sandboxtest.WriteRandom(t, filepath.Join(files, "second.mp4"), testSize), thumb)
	cut := h.ui.uploads.rows[1].job.ID
	h.eventually("part of the second upload", func() bool { return view(h.job(cut)).Offset >= 2*testChunk })
	before := h.job(cut)
	h.close() // quit the app mid-upload
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	p.slowPatch.Store(0)

	// Start again on the same data folder: a new DB, engine and window.
	db2, err := persist.Open(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db2.Close() })
	h2 := newHarness(t, p, harnessOpts{db: db2, noStart: true})
	if got := len(h2.ui.uploads.rows); got != 2 {
		t.Fatalf("%d rows after restart, want 2", got)
	}
	if rv := h2.rowView(done); rv.detail.Text != p.hosts.OnSite(core.VideoURL(view(h2.job(done)).ContentID)) || !rv.open.Visible() {
		t.Fatalf("finished row after restart: %q", rv.detail.Text)
	}
	h2.start()
	h2.eventually("the interrupted upload to finish by itself", func() bool { return h2.job(cut).State == core.StateDone })
	after := h2.job(cut)
	if view(after).ContentID != view(before).ContentID || view(after).UploadID != view(before).UploadID {
		t.Fatalf("restart made a new content entry: %s/%s vs %s/%s", view(after).ContentID, view(after).UploadID, view(before).ContentID, view(before).UploadID)
	}
	st := p.sb.Stats()
	if st.AddContent != 2 || st.TusCreates != 2 {
		t.Fatalf("want 2 content entries and 2 TUS uploads in all, got %+v", st)
	}
	if st.TusPatchBytes > 2*testSize+2*testChunk {
		t.Fatalf("the resumed upload started over: %d bytes received for two %d-byte videos", st.TusPatchBytes, testSize)
	}
	h2.eventually("the resumed row to show its link", func() bool { return h2.rowView(cut).copyLink.Visible() })
}

func TestRevokedSessionShowsBannerAndLosesNothing(t *testing.T) {
	p := newPlatform(t)
	h := newHarness(t, p, harnessOpts{})
	dir := t.TempDir()
	thumb := sandboxtest.WritePoster(t, filepath.Join(dir, "poster.png"), color.NRGBA{40, 120, 200, 255})
	p.slowPatch.Store(int64(20 * time.Millisecond))
	h.add(sandboxtest.WriteRandom(t, filepath.Join(dir, "night.mp4"), testSize), thumb)
	id := h.ui.uploads.rows[0].job.ID
	h.eventually("the upload step", func() bool { return view(h.job(id)).Step == gjw.StepUpload })
	contentID := view(h.job(id)).ContentID
	if contentID == "" {
		t.Fatal("no content entry before the upload step")
	}
	// The browser session dies (refresh token too): the next API call gets
	// a 401 and the refresh fails.
	p.sb.RevokeSession()
	p.slowPatch.Store(0)
	h.eventually("the job to wait for sign-in", func() bool {
		j := h.job(id)
		return j.State == core.StateWaiting && view(j).Reason == dest.ReasonSignedOut
	})
	h.eventually("the banner", func() bool { return h.ui.banner.Visible() })
	if !strings.Contains(h.ui.bannerText.Text, "nothing is lost") || !strings.Contains(h.ui.bannerText.Text, "session of gjw has ended") {
		t.Fatalf("banner says %q, want it to name the account", h.ui.bannerText.Text)
	}
	if j := h.job(id); view(j).ContentID != contentID {
		t.Fatalf("content id changed from %s to %s", contentID, view(j).ContentID)
	}
	h.eventuallyRow(id, "the row to ask to sign in again", func(rv *rowView) bool {
		return strings.Contains(rv.detail.Text, "Sign in again")
	})
	if n := len(h.ui.uploads.rows); n != 1 {
		t.Fatalf("%d rows", n)
	}

	// "Sign in again" opens the Account tab; paste the new tokens.
	var signIn fyne.Tappable
	for _, o := range test.LaidOutObjects(h.ui.banner) {
		if b, ok := o.(interface {
			fyne.Tappable
			MinSize() fyne.Size
		}); ok {
			signIn = b
		}
	}
	test.Tap(signIn)
	if h.ui.tabs.Selected() != h.ui.accountTab {
		t.Fatal("Sign in again did not open the Account tab")
	}
	acct := p.sb.Login()
	a := h.ui.account
	test.Type(a.access, acct.AccessToken)
	test.Type(a.refreshTk, acct.RefreshToken)
	a.channel.SetText(acct.ChannelID)
	a.expiresIn.SetText("864000")
	test.Tap(a.signIn)
	// The session is saved off the UI goroutine.
	h.eventually("the banner to go after signing in", func() bool { return !h.ui.banner.Visible() })
	if a.access.Text != "" || a.refreshTk.Text != "" {
		t.Fatal("token fields keep the tokens after signing in")
	}
	if !a.access.Password || !a.refreshTk.Password {
		t.Fatal("token fields are not masked")
	}
	h.eventually("the upload to finish after signing in", func() bool { return h.job(id).State == core.StateDone })
	j := h.job(id)
	if view(j).ContentID != contentID {
		t.Fatal("a new content entry was made")
	}
	if st := p.sb.Stats(); st.AddContent != 1 || st.TusCreates != 1 {
		t.Fatalf("work was repeated: %+v", st)
	}
	for _, l := range []string{a.status.Text, a.expiry.Text, a.result.Text, a.formMsg.Text, h.ui.bannerText.Text} {
		if strings.Contains(l, acct.AccessToken) || strings.Contains(l, acct.RefreshToken) {
			t.Fatal("a label shows a token")
		}
	}
	if !strings.Contains(a.status.Text, acct.ChannelID) || !strings.Contains(a.expiry.Text, "in 10 days") {
		t.Fatalf("account shows %q / %q", a.status.Text, a.expiry.Text)
	}
}

func TestAccountRefreshAndSignOut(t *testing.T) {
	p := newPlatform(t)
	h := newHarness(t, p, harnessOpts{})
	a := h.ui.account
	session := h.accts.GJWCredentials("gjw") // the migrated session
	before, _, _ := session.Credentials()
	test.Tap(a.refresh)
	h.eventually("the refresh", func() bool { return a.result.Text == "Session refreshed." })
	after, _, _ := session.Credentials()
	if after.RefreshToken == before.RefreshToken {
		t.Fatal("refresh did not rotate the session")
	}
	test.Tap(a.signOut)
	h.confirm()
	h.eventually("the sign-out", func() bool { return a.status.Text == "Not signed in" })
	if _, ok, _ := session.Credentials(); ok {
		t.Fatal("sign out kept the credentials")
	}
	if a.status.Text != "Not signed in" || !a.refresh.Disabled() {
		t.Fatalf("after sign out: %q", a.status.Text)
	}

	// Signed out, a new upload waits and the banner asks to sign in.
	dir := t.TempDir()
	thumb := sandboxtest.WritePoster(t, filepath.Join(dir, "poster.png"), color.NRGBA{40, 120, 200, 255})
	h.add(sandboxtest.WriteRandom(t, filepath.Join(dir, "later.mp4"), testSize), thumb)
	id := h.ui.uploads.rows[0].job.ID
	h.eventually("the banner", func() bool { return h.ui.banner.Visible() })
	h.eventually("the job to wait for a session", func() bool {
		j := h.job(id)
		return j.State == core.StateWaiting && view(j).Reason == dest.ReasonSignedOut
	})

	// A refused refresh also shows the banner.
	h.ui.setSignedOut(false)
	acct := p.sb.Login()
	SignIn(h.accts, persist.Credentials{AccessToken: acct.AccessToken, RefreshToken: acct.RefreshToken, ChannelID: acct.ChannelID})
	a.refreshStatus()
	p.sb.RevokeSession()
	test.Tap(a.refresh)
	h.eventually("the refused refresh", func() bool { return strings.Contains(a.result.Text, "refused") })
	if !h.ui.banner.Visible() {
		t.Fatal("no banner after a refused refresh")
	}
}

func TestSettingsApplyAndPersist(t *testing.T) {
	p := newPlatform(t)
	h := newHarness(t, p, harnessOpts{noStart: true})
	s := h.ui.prefs
	test.Tap(findButton(t, s.content, "Local sandbox"))
	if s.api.Text != SandboxHosts.API || s.vod.Text != SandboxHosts.VOD || s.image.Text != SandboxHosts.Image {
		t.Fatal("sandbox preset not filled in")
	}
	s.gcore.SetText("https://gcore.example/ ")
	s.jw.SetText("https://jw.example")
	s.ws.SetText("https://wangsu.example")
	s.parallel.SetSelected("3")
	s.chunk.SetSelected("5 MiB")
	s.stall.SetSelected("2 min")
	s.category.SetText("cat7")
	s.lang.SetText("zh-TW")
	s.vis.SetSelected("private")
	s.kids.SetChecked(true)
	s.notify.SetChecked(false)
	h.addAccount("backup")
	h.ui.tabs.Select(h.ui.settingsTab)
	if strings.Join(s.dests.Options, ",") != "backup,gjw" || strings.Join(s.dests.Selected, ",") != "gjw" {
		t.Fatalf("destinations offered %v, ticked %v", s.dests.Options, s.dests.Selected)
	}
	s.dests.SetSelected([]string{"backup", "gjw"})
	h.saveSettings()
	if !strings.Contains(s.result.Text, "Restart") {
		t.Fatalf("result %q does not say hosts need a restart", s.result.Text)
	}
	st, _ := h.db.Settings()
	want := persist.Settings{Version: persist.RecordVersion, APIURL: SandboxHosts.API, ImageURL: SandboxHosts.Image, VODURL: SandboxHosts.VOD,
		GcoreAPIURL: "https://gcore.example", JWAPIURL: "https://jw.example", WangsuAPIURL: "https://wangsu.example",
		Parallel: 3, ChunkSize: 5 << 20, StallTimeout: 2 * time.Minute, Defaults: persist.VideoMeta{Lang: "zh-TW", Visibility: "private", MadeForKids: true, Extras: map[string]map[string]string{"gjw": {"category": "cat7"}}}}
	if !reflect.DeepEqual(st, want) {
		t.Fatalf("stored %+v\nwant %+v", st, want)
	}
	// New rows take the defaults.
	dir := t.TempDir()
	h.ui.Drop([]string{sandboxtest.WriteRandom(t, filepath.Join(dir, "x.mp4"), testSize)})
	h.waitDrops()
	m := h.ui.uploads.rows[0].job.Meta
	if gjw.Category(m) != "cat7" || m.Lang != "zh-TW" || m.Visibility != "private" || !m.MadeForKids {
		t.Fatalf("new row meta %+v", m)
	}
	if ts := h.ui.uploads.rows[0].job.Targets; len(ts) != 2 || ts[0].Account != "backup" || ts[1].Account != "gjw" {
		t.Fatalf("new row goes to %+v, want both default destinations", ts)
	}
}

func TestAboutShowsVersionCommitAndBuildDate(t *testing.T) {
	old := [3]string{Version, Commit, BuildDate}
	t.Cleanup(func() { Version, Commit, BuildDate = old[0], old[1], old[2] })
	Version, Commit, BuildDate = "1.2.3", "0123abcd4567", "2026-01-02T03:04:05Z"

	h := newHarness(t, nil, harnessOpts{noStart: true})
	var about *widget.Button
	for _, o := range test.LaidOutObjects(h.ui.content) {
		if b, ok := o.(*widget.Button); ok && b.Icon == theme.InfoIcon() && b.Visible() {
			about = b
		}
	}
	if about == nil {
		t.Fatal("no About button")
	}
	if h.win.Canvas().Overlays().Top() != nil {
		t.Fatal("a dialog is open before About was tapped")
	}
	test.Tap(about)
	top := h.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("About opened nothing")
	}
	var text []string
	for _, o := range test.LaidOutObjects(top) {
		if l, ok := o.(*widget.Label); ok {
			text = append(text, l.Text)
		}
	}
	all := strings.Join(text, "\n")
	for _, want := range []string{"GJW Uploader", "Version 1.2.3", "Commit 0123abcd4567", "Built 2026-01-02T03:04:05Z"} {
		if !strings.Contains(all, want) {
			t.Errorf("the About box lacks %q: %q", want, all)
		}
	}
	h.tapDialogButton("Close")
	if h.win.Canvas().Overlays().Top() != nil {
		t.Fatal("Close left the About box open")
	}

	// Unstamped (go build): the version fyne package injects from
	// FyneApp.toml, with its build number, else "dev".
	Version, Commit, BuildDate = "", "", ""
	if got := aboutInfo(fyne.AppMetadata{Version: "0.1.0", Build: 7}).Lines()[0]; got != "Version 0.1.0 (build 7)" {
		t.Errorf("from Fyne's metadata: %q", got)
	}
	if got := aboutInfo(fyne.AppMetadata{}).Lines()[0]; got != "Version dev" {
		t.Errorf("with no stamp at all: %q", got)
	}
}
