package gui

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/bandwidth"
	"github.com/gjw-uploader/gjw-uploader/core/gcore"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/httpx"
	"github.com/gjw-uploader/gjw-uploader/core/jw"
	"github.com/gjw-uploader/gjw-uploader/core/wangsu"
	"github.com/gjw-uploader/gjw-uploader/gui/internal/catfield"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// SandboxHosts are gjw-sandbox's default loopback URLs (make sandbox).
var SandboxHosts = gjw.Hosts{API: "http://127.0.0.1:8481", Image: "http://127.0.0.1:8482", VOD: "http://127.0.0.1:8483"}

// chunkChoices are the offered TUS chunk sizes.
var chunkChoices = []struct {
	label string
	size  int64
}{
	{"1 MiB", 1 << 20}, {"5 MiB", 5 << 20}, {"10 MiB (recommended)", 10 << 20}, {"25 MiB", 25 << 20}, {"50 MiB", 50 << 20},
}

// stallChoices are the offered stall timeouts: how long a request may make
// no progress before it is cancelled and retried.
var stallChoices = []struct {
	label string
	d     time.Duration
}{
	{"30 s", 30 * time.Second}, {"60 s (recommended)", 0}, {"2 min", 2 * time.Minute}, {"5 min", 5 * time.Minute},
}

// settingsView edits the preferences. Parallel uploads, metadata defaults
// and notifications apply at once; hosts and chunk size are engine options
// and take effect the next time the app starts (the label says so).
type settingsView struct {
	ui *UI
	// running is what the engine was started with: a save needs a
	// restart only when it changes one of those (see startKey).
	running startKey

	api, image, vod *widget.Entry
	gcore, jw, ws   *widget.Entry // the other platforms' API hosts
	envNote         *widget.Label
	parallel        *widget.Select
	chunk           *widget.Select
	stall           *widget.Select
	limit           *widget.Entry      // upload speed limit, applied at once
	proxy           *widget.Entry      // proxy URL, applied at once
	noProxy         *widget.Entry      // hosts that skip that proxy, applied at once
	awake           *widget.Check      // keep the computer awake while uploading
	dests           *widget.CheckGroup // default destinations (accounts)
	category        *catfield.Field
	categoryNames   *widget.Entry // "cat13 = Culture", a line each
	lang            *widget.SelectEntry
	vis             *widget.RadioGroup
	kids            *widget.Check
	notify          *widget.Check
	watch           *watchView
	saveBtn         *widget.Button // disabled while a save is written
	result          *widget.Label

	content fyne.CanvasObject
}

func newSettingsView(ui *UI) *settingsView {
	s := &settingsView{ui: ui, running: startKeyOf(ui.settings)}
	st := ui.settings
	entry := func(v, placeholder string) *widget.Entry {
		e := widget.NewEntry()
		e.SetPlaceHolder(placeholder)
		e.SetText(v)
		return e
	}
	s.api = entry(st.APIURL, gjw.DefaultHosts.API)
	s.image = entry(st.ImageURL, gjw.DefaultHosts.Image)
	s.vod = entry(st.VODURL, gjw.DefaultHosts.VOD)
	s.gcore = entry(st.GcoreAPIURL, gcore.DefaultAPIURL)
	s.jw = entry(st.JWAPIURL, jw.DefaultAPIURL)
	s.ws = entry(st.WangsuAPIURL, wangsu.DefaultAPIURL)
	sandbox := widget.NewButtonWithIcon("Local sandbox", theme.ComputerIcon(), func() {
		s.api.SetText(SandboxHosts.API)
		s.image.SetText(SandboxHosts.Image)
		s.vod.SetText(SandboxHosts.VOD)
		s.say(widget.MediumImportance, "Sandbox hosts filled in: save, then restart GJW Uploader (run make sandbox first).")
	})
	real := widget.NewButtonWithIcon("Gan Jing World", theme.HomeIcon(), func() {
		s.api.SetText("")
		s.image.SetText("")
		s.vod.SetText("")
		s.say(widget.MediumImportance, "The real Gan Jing World hosts: save, then restart GJW Uploader.")
	})
	hosts := ui.deps.Engine.Client().Hosts
	inUse := widget.NewLabel("Now using " + hosts.API + ", " + hosts.Image + ", " + hosts.VOD +
		". Host changes take effect the next time GJW Uploader starts.")
	inUse.Wrapping = fyne.TextWrapWord
	inUse.SizeName = theme.SizeNameCaptionText
	var env []string
	for _, k := range []string{"GJW_API_URL", "GJW_IMAGE_URL", "GJW_VOD_URL", "GCORE_API_URL", "JW_API_URL", "WANGSU_API_URL", "GJW_CHUNK_SIZE"} {
		if os.Getenv(k) != "" {
			env = append(env, k)
		}
	}
	s.envNote = widget.NewLabel("")
	s.envNote.Wrapping = fyne.TextWrapWord
	s.envNote.Importance = widget.WarningImportance
	if len(env) > 0 {
		s.envNote.SetText(strings.Join(env, ", ") + " set in the environment override these settings.")
	} else {
		s.envNote.Hide()
	}

	var pars []string
	for i := 1; i <= 8; i++ {
		pars = append(pars, strconv.Itoa(i))
	}
	s.parallel = widget.NewSelect(pars, nil)
	s.parallel.SetSelected(strconv.Itoa(parallelOf(st)))
	var chunks []string
	for _, c := range chunkChoices {
		chunks = append(chunks, c.label)
	}
	s.chunk = widget.NewSelect(chunks, nil)
	s.chunk.SetSelected(chunkLabel(st.ChunkSize))
	var stalls []string
	stall := stallChoices[1].label
	for _, c := range stallChoices {
		stalls = append(stalls, c.label)
		if c.d == st.StallTimeout {
			stall = c.label
		}
	}
	s.stall = widget.NewSelect(stalls, nil)
	s.stall.SetSelected(stall)

	s.limit = entry(st.LimitRate, "off (or 2M, 512k, 08:00,1M 18:00,512k 23:00,off)")
	s.proxy = entry(st.Proxy, "from HTTPS_PROXY / HTTP_PROXY, else none")
	s.noProxy = entry(st.NoProxy, "hosts that skip this proxy: example.com, .lan, 10.0.0.0/8")
	s.awake = widget.NewCheck("Keep the computer awake while uploading", nil)
	s.awake.SetChecked(!st.AllowSleep)

	s.dests = widget.NewCheckGroup(nil, nil)
	s.dests.Horizontal = true
	s.loadDests()

	d := withDefaultMeta(st.Defaults)
	s.category = catfield.New(gjw.DefaultCategory)
	s.category.SetNames(st.CategoryNames)
	s.category.SetID(gjw.Category(d))
	s.categoryNames = widget.NewMultiLineEntry()
	s.categoryNames.SetText(gjw.CategoryNames(st.CategoryNames).String())
	s.categoryNames.SetPlaceHolder(gjw.DefaultCategory + " = Culture\ncat22 = Travel")
	s.categoryNames.SetMinRowsVisible(3)
	categoryNote := widget.NewLabel("Gan Jing World takes a category as an id such as " + gjw.DefaultCategory +
		" and does not tell its name: name the ones you use, one a line, and every category field shows and takes the names.")
	categoryNote.Wrapping = fyne.TextWrapWord
	categoryNote.SizeName = theme.SizeNameCaptionText
	s.lang = widget.NewSelectEntry(languages)
	s.lang.SetText(d.Lang)
	s.vis = widget.NewRadioGroup([]string{"public", "private"}, nil)
	s.vis.Horizontal = true
	s.vis.Required = true
	s.vis.SetSelected(d.Visibility)
	s.kids = widget.NewCheck("Made for kids", nil)
	s.kids.SetChecked(d.MadeForKids)
	s.notify = widget.NewCheck("Notify me when an upload is published or fails", nil)
	s.notify.SetChecked(st.Notify)

	s.saveBtn = widget.NewButtonWithIcon("Save settings", theme.DocumentSaveIcon(), s.save)
	s.saveBtn.Importance = widget.HighImportance
	s.result = widget.NewLabel("")
	s.result.Wrapping = fyne.TextWrapWord

	hostCard := widget.NewCard("Hosts", "Where uploads go", container.NewVBox(
		widget.NewForm(
			widget.NewFormItem("API", s.api),
			widget.NewFormItem("Image CDN", s.image),
			widget.NewFormItem("Video CDN", s.vod),
			widget.NewFormItem("Gcore API", s.gcore),
			widget.NewFormItem("JW Player API", s.jw),
			widget.NewFormItem("Wangsu API", s.ws),
		),
		container.NewHBox(sandbox, real), inUse, s.envNote))
	queueCard := widget.NewCard("Uploads", "", widget.NewForm(
		widget.NewFormItem("Uploads at once", s.parallel),
		widget.NewFormItem("Chunk size", s.chunk),
		widget.NewFormItem("Retry a stalled request after", s.stall),
		widget.NewFormItem("", s.awake),
	))
	netNote := widget.NewLabel("The speed limit is shared by every upload at once: 2M is 2 MiB/s, 512k is 512 KiB/s; " +
		"a timetable changes it through the day. The proxy is a URL such as http://proxy.example:3128 or socks5://127.0.0.1:1080; " +
		"the hosts it skips are written as in NO_PROXY, separated by commas, and NO_PROXY's hosts skip it too. All apply at once.")
	netNote.Wrapping = fyne.TextWrapWord
	netNote.SizeName = theme.SizeNameCaptionText
	networkCard := widget.NewCard("Network", "", container.NewVBox(widget.NewForm(
		widget.NewFormItem("Upload speed limit", s.limit),
		widget.NewFormItem("Proxy", s.proxy),
		widget.NewFormItem("No proxy for", s.noProxy),
	), netNote))
	defaultsCard := widget.NewCard("Defaults for new videos", "", container.NewVBox(widget.NewForm(
		widget.NewFormItem("Destinations", s.dests),
		widget.NewFormItem("Category", s.category),
		widget.NewFormItem("Language", s.lang),
		widget.NewFormItem("Visibility", s.vis),
		widget.NewFormItem("", s.kids),
		widget.NewFormItem("Category names", s.categoryNames),
	), categoryNote))
	notifyCard := widget.NewCard("Notifications", "", s.notify)
	folders, err := ui.deps.DB.WatchFolders()
	if err != nil {
		fyne.LogError("reading the watch folders", err)
	}
	s.watch = newWatchView(ui, folders)
	s.content = container.NewVScroll(container.NewPadded(container.NewVBox(
		hostCard, queueCard, networkCard, defaultsCard, s.watch.content, notifyCard, container.NewHBox(s.saveBtn), s.result)))
	return s
}

// save checks the fields (UI goroutine), stores the settings off it and
// then applies what can change while running. The button is disabled, and
// the result says "Saving…", until the writes are done.
func (s *settingsView) save() {
	old := s.ui.settings
	st := old
	host := func(e *widget.Entry) string { return strings.TrimRight(strings.TrimSpace(e.Text), "/") }
	st.APIURL, st.ImageURL, st.VODURL = host(s.api), host(s.image), host(s.vod)
	st.GcoreAPIURL, st.JWAPIURL, st.WangsuAPIURL = host(s.gcore), host(s.jw), host(s.ws)
	for _, u := range []string{st.APIURL, st.ImageURL, st.VODURL, st.GcoreAPIURL, st.JWAPIURL, st.WangsuAPIURL} {
		if u != "" && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			s.say(widget.DangerImportance, fmt.Sprintf("%q is not a web address: start it with https:// (or http:// for the sandbox).", u))
			return
		}
	}
	st.Parallel, _ = strconv.Atoi(s.parallel.Selected)
	for _, c := range chunkChoices {
		if c.label == s.chunk.Selected {
			st.ChunkSize = c.size
		}
	}
	for _, c := range stallChoices {
		if c.label == s.stall.Selected {
			st.StallTimeout = c.d
		}
	}
	st.LimitRate = strings.TrimSpace(s.limit.Text)
	limit, err := bandwidth.ParseSchedule(st.LimitRate)
	if err != nil {
		s.say(widget.DangerImportance, "Upload speed limit: "+err.Error())
		return
	}
	st.AllowSleep = !s.awake.Checked
	st.Proxy = strings.TrimSpace(s.proxy.Text)
	if _, err := httpx.ParseProxy(st.Proxy); err != nil {
		s.say(widget.DangerImportance, "Proxy: "+err.Error())
		return
	}
	st.NoProxy = strings.TrimSpace(s.noProxy.Text)
	if _, err := httpx.ParseNoProxy(st.NoProxy); err != nil {
		s.say(widget.DangerImportance, "No proxy for: "+err.Error())
		return
	}
	names, err := gjw.ParseCategoryNames(s.categoryNames.Text)
	if err != nil {
		s.say(widget.DangerImportance, "Category names, "+err.Error())
		return
	}
	st.CategoryNames = names
	s.category.SetNames(names)
	if err := s.category.Validate(); err != nil {
		s.say(widget.DangerImportance, "Category: "+err.Error())
		return
	}
	s.category.SetID(s.category.ID()) // a name typed shows as its choice
	st.Defaults = gjw.WithCategory(persist.VideoMeta{
		Lang:        strings.TrimSpace(s.lang.Text),
		Visibility:  s.vis.Selected,
		MadeForKids: s.kids.Checked,
	}, s.category.ID())
	st.Notify = s.notify.Checked
	folders, err := s.watch.folders()
	if err != nil {
		s.say(widget.DangerImportance, "Watch folder "+err.Error())
		return
	}
	var defaults []string // the default destinations, when accounts are offered
	if len(s.dests.Options) > 0 {
		if len(s.dests.Selected) == 0 {
			s.say(widget.DangerImportance, "Tick at least one destination for new videos.")
			return
		}
		defaults = slices.Clone(s.dests.Selected)
	}
	// The writes (an fsync each) run off the UI goroutine; what they store
	// is applied back on it once every one succeeded.
	s.saveBtn.Disable()
	s.say(widget.MediumImportance, "Saving…")
	s.ui.goBackground(func(context.Context) {
		msg := s.write(st, folders, defaults)
		s.ui.do(func() {
			s.saveBtn.Enable()
			if msg != "" {
				s.say(widget.DangerImportance, msg)
				return
			}
			s.apply(st, folders, limit)
		})
	})
}

// write stores the default destinations (when offered), the settings and
// the watch folders; it answers the line to show if one failed (any
// goroutine: it touches no widget).
func (s *settingsView) write(st persist.Settings, folders []persist.WatchFolder, defaults []string) string {
	if defaults != nil {
		if err := s.ui.deps.Accounts.SetDefaults(defaults); err != nil {
			return "Could not save the destinations: " + err.Error()
		}
	}
	if err := s.ui.deps.DB.PutSettings(st); err != nil {
		return "Could not save: " + err.Error()
	}
	if err := s.ui.deps.DB.PutWatchFolders(folders); err != nil {
		return "Could not save the watch folders: " + err.Error()
	}
	return ""
}

// apply puts saved settings to use: what the app and the engine run with
// now, and the watchers (UI goroutine).
func (s *settingsView) apply(st persist.Settings, folders []persist.WatchFolder, limit bandwidth.Schedule) {
	st.Version = persist.RecordVersion
	s.ui.settings = st
	s.ui.startWatchers(folders)
	s.ui.deps.Engine.SetParallel(parallelOf(st))
	s.ui.deps.Engine.SetLimit(limit)
	s.ui.deps.Engine.SetKeepAwake(!st.AllowSleep)
	_ = httpx.SetProxy(st.Proxy, st.NoProxy) // checked in save
	msg := "Saved."
	if startKeyOf(st) != s.running {
		msg = "Saved. Restart GJW Uploader to use the new hosts, chunk size or stall timeout; unfinished uploads carry on after the restart."
	}
	s.say(widget.SuccessImportance, msg)
}

// startKey is what of the settings the engine takes only when it starts:
// the hosts, the chunk size and the stall timeout, as the engine reads
// them (no chunk size saved is the recommended one).
type startKey struct {
	api, image, vod, gcore, jw, wangsu string
	chunk                              int64
	stall                              time.Duration
}

func startKeyOf(st persist.Settings) startKey {
	chunk := st.ChunkSize
	if chunk == 0 {
		chunk = chunkChoices[2].size
	}
	return startKey{st.APIURL, st.ImageURL, st.VODURL, st.GcoreAPIURL, st.JWAPIURL, st.WangsuAPIURL, chunk, st.StallTimeout}
}

// loadDests offers every account, the default ones ticked (the Manager
// reads from memory).
func (s *settingsView) loadDests() {
	accts, err := s.ui.deps.Accounts.List()
	if err != nil {
		return
	}
	var names, defaults []string
	for _, a := range accts {
		names = append(names, a.Name)
		if a.Default {
			defaults = append(defaults, a.Name)
		}
	}
	s.dests.Options = names
	s.dests.SetSelected(defaults)
}

func (s *settingsView) say(imp widget.Importance, msg string) {
	s.result.Importance = imp
	s.result.SetText(msg)
}

func parallelOf(st persist.Settings) int {
	if st.Parallel > 0 {
		return st.Parallel
	}
	return 2
}

func chunkLabel(n int64) string {
	for _, c := range chunkChoices {
		if c.size == n {
			return c.label
		}
	}
	if n > 0 {
		return "" // a custom size set elsewhere: leave the choice empty
	}
	return chunkChoices[2].label
}

func withDefaultMeta(m persist.VideoMeta) persist.VideoMeta {
	if m.Lang == "" {
		m.Lang = core.DefaultVideoMeta.Lang
	}
	if m.Visibility == "" {
		m.Visibility = core.DefaultVideoMeta.Visibility
	}
	return m
}
