package main

import (
	"bufio"
	"fmt"
	"image"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// idleWait is how long the app idles after the first frame before its RSS
// is read (GJW_IDLE_SECONDS overrides).
const idleWait = 3 * time.Second

// measureFirstFrame logs the time to the first painted frame, then the RSS
// after idling, and quits (GJW_EXIT_AFTER_FIRST_FRAME=1, docs/gui.md).
//
// The probe is a 1×1 raster in a corner of the window: the painter calls a
// raster's generator only while drawing a frame, so its first call marks
// the first frame (its buffer swap follows in the same draw).
func measureFirstFrame(w fyne.Window, content fyne.CanvasObject, mainStart time.Time, quit func()) {
	var once sync.Once
	probe := canvas.NewRaster(func(int, int) image.Image {
		once.Do(func() {
			now := time.Now()
			procMS := "?"
			if d, ok := sinceProcessStart(); ok {
				procMS = strconv.FormatInt(d.Milliseconds(), 10)
			}
			fmt.Fprintf(os.Stderr, "gjw-uploader: first frame %d ms after main, %s ms after process start; RSS %s\n",
				now.Sub(mainStart).Milliseconds(), procMS, rss())
			go func() {
				wait := idleWait
				if s, err := strconv.ParseFloat(os.Getenv("GJW_IDLE_SECONDS"), 64); err == nil && s >= 0 {
					wait = time.Duration(s * float64(time.Second))
				}
				time.Sleep(wait)
				fmt.Fprintf(os.Stderr, "gjw-uploader: idle %s later: RSS %s\n", wait, rss())
				if p := os.Getenv("GJW_HEAP_PROFILE"); p != "" {
					if f, err := os.Create(p); err == nil {
						pprof.WriteHeapProfile(f)
						f.Close()
					}
				}
				fyne.Do(quit)
			}()
		})
		return image.NewNRGBA(image.Rect(0, 0, 1, 1))
	})
	probe.Resize(fyne.NewSize(1, 1))
	w.SetContent(container.NewStack(content, container.NewWithoutLayout(probe)))
}

// rss is the process's resident set size and peak, from /proc (Linux).
func rss() string {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	v := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, val, _ := strings.Cut(sc.Text(), ":")
		v[k] = strings.TrimSpace(val)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return fmt.Sprintf("%s (anonymous %s, file-backed %s; peak %s; Go heap in use %d kB, Go runtime total %d kB)",
		v["VmRSS"], v["RssAnon"], v["RssFile"], v["VmHWM"], ms.HeapInuse>>10, ms.Sys>>10)
}

// sinceProcessStart is the time since the kernel started this process
// (/proc/self/stat start time against /proc/uptime, 10 ms resolution).
func sinceProcessStart() (time.Duration, bool) {
	stat, err1 := os.ReadFile("/proc/self/stat")
	up, err2 := os.ReadFile("/proc/uptime")
	if err1 != nil || err2 != nil {
		return 0, false
	}
	s := string(stat)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 20 {
		return 0, false
	}
	ticks, err := strconv.ParseFloat(fields[19], 64) // field 22: starttime
	if err != nil {
		return 0, false
	}
	upF := strings.Fields(string(up))
	uptime, err := strconv.ParseFloat(upF[0], 64)
	if err != nil {
		return 0, false
	}
	const clkTck = 100 // USER_HZ on Linux
	return time.Duration((uptime - ticks/clkTck) * float64(time.Second)), true
}

// seed adds n finished uploads for measuring a long list. It refuses a data
// folder that already has jobs or that was not chosen with GJW_DATA_DIR, so
// it cannot mix test rows into a creator's real queue.
func seed(db *persist.DB, n int) error {
	if os.Getenv("GJW_DATA_DIR") == "" {
		return fmt.Errorf("-seed-rows needs GJW_DATA_DIR set to an empty folder")
	}
	jobs, err := db.Jobs()
	if err != nil {
		return err
	}
	if len(jobs) > 0 {
		return fmt.Errorf("-seed-rows needs an empty data folder; %d uploads are there", len(jobs))
	}
	now := time.Now()
	for i := range n {
		id := fmt.Sprintf("seed%05d", i)
		err := db.PutJob(persist.Job{
			ID: id, Position: int64(i), VideoPath: fmt.Sprintf("/videos/seed-%05d.mp4", i), Size: int64(50+i%200) << 20,
			ModTime: now, Meta: persist.VideoMeta{Title: fmt.Sprintf("Seeded video %d", i+1), Lang: "en-US", Visibility: "public"},
			State: core.StateDone, CreatedAt: now, FinishedAt: now,
			Targets: []persist.Target{{Account: persist.V1Account, Platform: "gjw", Step: "done", State: core.StateDone,
				Offset: int64(50+i%200) << 20, ProcessingPercent: 100, FinishedAt: now,
				Result: persist.TargetResult{ID: "seed" + id, URL: core.VideoURL("seed" + id)}}},
		})
		if err != nil {
			return err
		}
	}
	return nil
}
