// Command gjw-sandbox serves the Gan Jing World emulator (core/sandbox) on
// three loopback ports, and the Gcore Video Hosting emulator
// (core/sandbox/gcore: its API and two TUS upload servers) on three more,
// the JW Player emulator (core/sandbox/jw: its API and S3 stand-in) on
// two more, and the Wangsu Cloud VoD emulator (core/sandbox/wangsu: its
// API and WCS upload host) on two more, so the app can be tried without an
// account:
//
//	gjw-sandbox -env-file .sandbox.env
//
// It prints the base URLs as export lines (GJW_*_URL, GCORE_API_URL,
// JW_API_URL, WANGSU_API_URL), the demo accounts' secrets (sandbox-only
// values: GJW_DEMO_*, GJW_DEMO_GCORE_KEY, GJW_DEMO_JW_SITE,
// GJW_DEMO_JW_SECRET, GJW_DEMO_WANGSU_AK and GJW_DEMO_WANGSU_SK), and
// ready-to-paste `gjw login` and `gjw account add gcore|jw|wangsu` lines,
// then serves until SIGINT or SIGTERM.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/gjw-uploader/gjw-uploader/core/sandbox"
	gcoresb "github.com/gjw-uploader/gjw-uploader/core/sandbox/gcore"
	jwsb "github.com/gjw-uploader/gjw-uploader/core/sandbox/jw"
	wangsusb "github.com/gjw-uploader/gjw-uploader/core/sandbox/wangsu"
)

func main() {
	log.SetFlags(log.Ltime | log.Lmicroseconds)
	log.SetPrefix("gjw-sandbox: ")
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	var (
		addr       = flag.String("addr", "127.0.0.1", "address to listen on")
		apiPort    = flag.Int("api-port", 8481, "port of the platform API (gw.ganjingworld.com); 0 picks one")
		imagePort  = flag.Int("image-port", 8482, "port of the image CDN (imgapi.cloudokyo.cloud); 0 picks one")
		vodPort    = flag.Int("vod-port", 8483, "port of the VOD CDN (vodapi.cloudokyo.cloud); 0 picks one")
		gcorePort  = flag.Int("gcore-port", 8484, "port of the Gcore API (api.gcore.com); its two upload servers listen on the next two ports (0: pick all three)")
		wangsuPort = flag.Int("wangsu-port", 8487, "port of the Wangsu Cloud VoD API (api.cloudv.haplat.net); its upload host listens on the next port (0: pick both)")
		jwPort     = flag.Int("jw-port", 8490, "port of the JW Player API (api.jwplayer.com); its S3 stand-in listens on the next port (0: pick both)")
		dir        = flag.String("dir", "", "directory for uploads and images (default: a temporary directory, removed on exit)")
		envFile    = flag.String("env-file", "", "also write the environment as KEY=VALUE lines to this file")
		polls      = flag.Int("transcode-polls", 3, "status polls answered in_progress before a video is done (0: done at the first poll)")
		throttle   = flag.Int64("throttle", 0, "limit each upload to this many bytes per second, to watch progress on loopback (0: no limit)")
		sample     = flag.String("sample", "", "write sample.mp4 and poster.png into this directory (for demos) before serving")
		sampleSize = flag.Int64("sample-size", 256<<20, "size of the sample video in bytes")
		verbose    = flag.Bool("v", false, "log every request (method, path, status; never tokens)")
	)
	flag.Parse()
	if flag.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(flag.Args(), " "))
	}

	if *sample != "" {
		if err := writeSample(*sample, *sampleSize); err != nil {
			return err
		}
	}
	if *dir == "" {
		tmp, err := os.MkdirTemp("", "gjw-sandbox-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		*dir = tmp
	}
	cfg := sandbox.Config{Dir: *dir, TranscodePolls: *polls, Throttle: *throttle}
	if *polls == 0 {
		cfg.TranscodePolls = -1 // the flag's 0 means what it says
	}
	if *verbose {
		cfg.Logf = log.Printf
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	run, err := sandbox.Start(cfg, *addr, [3]int{*apiPort, *imagePort, *vodPort})
	if err != nil {
		return err
	}
	defer run.Close()

	gcfg := gcoresb.Config{Dir: *dir, Polls: cfg.TranscodePolls, Throttle: *throttle, RateLimit: 4}
	if *verbose {
		gcfg.Logf = log.Printf
	}
	uploadPorts := []int{0, 0}
	if *gcorePort != 0 {
		uploadPorts = []int{*gcorePort + 1, *gcorePort + 2}
	}
	grun, err := gcoresb.Start(gcfg, *addr, *gcorePort, uploadPorts...)
	if err != nil {
		return err
	}
	defer grun.Close()

	jcfg := jwsb.Config{Polls: cfg.TranscodePolls, Throttle: *throttle}
	if *verbose {
		jcfg.Logf = log.Printf
	}
	s3Port := 0
	if *jwPort != 0 {
		s3Port = *jwPort + 1
	}
	jrun, err := jwsb.Start(jcfg, *addr, *jwPort, s3Port)
	if err != nil {
		return err
	}
	defer jrun.Close()

	wcfg := wangsusb.Config{Polls: cfg.TranscodePolls, Throttle: *throttle, RateLimit: 300}
	if *verbose {
		wcfg.Logf = log.Printf
	}
	wsUploadPort := 0
	if *wangsuPort != 0 {
		wsUploadPort = *wangsuPort + 1
	}
	wrun, err := wangsusb.Start(wcfg, *addr, *wangsuPort, wsUploadPort)
	if err != nil {
		return err
	}
	defer wrun.Close()
	wsAK, wsSK := wrun.Server.Keys()

	acct := run.Server.DemoAccount()
	env := append(run.Env(),
		"GJW_DEMO_ACCESS_TOKEN="+acct.AccessToken,
		"GJW_DEMO_REFRESH_TOKEN="+acct.RefreshToken,
		"GJW_DEMO_CHANNEL="+acct.ChannelID,
		fmt.Sprintf("GJW_DEMO_EXPIRES_IN=%d", acct.ExpiresIn),
	)
	env = append(env, grun.Env()...)
	env = append(env, "GJW_DEMO_GCORE_KEY="+grun.Server.Key())
	env = append(env, jrun.Env()...)
	env = append(env, "GJW_DEMO_JW_SITE="+jrun.Server.SiteID(), "GJW_DEMO_JW_SECRET="+jrun.Server.Secret())
	env = append(env, wrun.Env()...)
	env = append(env, "GJW_DEMO_WANGSU_AK="+wsAK, "GJW_DEMO_WANGSU_SK="+wsSK)
	if *envFile != "" {
		if err := os.WriteFile(*envFile, []byte(strings.Join(env, "\n")+"\n"), 0o600); err != nil {
			return err
		}
	}
	for _, kv := range env {
		fmt.Println("export " + kv)
	}
	fmt.Printf("gjw login --access-token %s --refresh-token %s --channel %s\n", acct.AccessToken, acct.RefreshToken, acct.ChannelID)
	fmt.Printf("gjw account add gcore --api-key %s\n", grun.Server.Key())
	fmt.Printf("gjw account add jw --site-id %s --api-secret %s\n", jrun.Server.SiteID(), jrun.Server.Secret())
	fmt.Printf("gjw account add wangsu --access-key %s --secret-key %s\n", wsAK, wsSK)
	log.Printf("serving (files in %s); Ctrl-C to stop", *dir)

	<-ctx.Done()
	log.Print("stopping")
	return nil
}
