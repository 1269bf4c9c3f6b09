package core

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/bandwidth"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// OptionsFrom builds engine options from saved settings, with the
// environment taking precedence: GJW_API_URL, GJW_IMAGE_URL, GJW_VOD_URL,
// GJW_CHUNK_SIZE (bytes), GJW_POLL_INTERVAL (a duration such as 5s, or
// seconds), GJW_POLL_ATTEMPTS, GJW_RETRY_DELAYS (comma-separated
// durations such as 0,1s,3s; scripts and tests use it to fail fast) and
// GJW_STALL_TIMEOUT (a duration such as 60s: a request making no progress
// that long is cancelled and retried). A malformed value is an error naming
// it.
//
// The settings' upload speed limit (LimitRate) is read too. (The proxy is
// process-wide: the program applies it with httpx.SetProxy.)
func OptionsFrom(s persist.Settings) (o Options, err error) {
	hosts := gjw.DefaultHosts
	for _, kv := range []struct {
		dst *string
		v   string
	}{{&hosts.API, s.APIURL}, {&hosts.Image, s.ImageURL}, {&hosts.VOD, s.VODURL}} {
		if kv.v != "" {
			*kv.dst = kv.v
		}
	}
	o = Options{Hosts: gjw.HostsFromEnv(hosts), ChunkSize: s.ChunkSize, Parallel: s.Parallel}
	if v := os.Getenv("GJW_CHUNK_SIZE"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return o, fmt.Errorf("GJW_CHUNK_SIZE=%q is not a positive number of bytes", v)
		}
		o.ChunkSize = n
	}
	if v := os.Getenv("GJW_POLL_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			secs, serr := strconv.ParseFloat(v, 64)
			if serr != nil || secs < 0 {
				return o, fmt.Errorf("GJW_POLL_INTERVAL=%q is not a duration (e.g. 5s)", v)
			}
			d = time.Duration(secs * float64(time.Second))
		}
		o.PollInterval = d
	}
	if v := os.Getenv("GJW_POLL_ATTEMPTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return o, fmt.Errorf("GJW_POLL_ATTEMPTS=%q is not a positive number", v)
		}
		o.PollAttempts = n
	}
	if v := os.Getenv("GJW_RETRY_DELAYS"); v != "" {
		for _, f := range strings.Split(v, ",") {
			d, err := time.ParseDuration(strings.TrimSpace(f))
			if err != nil || d < 0 {
				return o, fmt.Errorf("GJW_RETRY_DELAYS=%q is not a list of durations (e.g. 0,1s,3s)", v)
			}
			o.RetryDelays = append(o.RetryDelays, d)
		}
	}
	o.StallTimeout = s.StallTimeout
	if v := os.Getenv("GJW_STALL_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return o, fmt.Errorf("GJW_STALL_TIMEOUT=%q is not a positive duration (e.g. 60s)", v)
		}
		o.StallTimeout = d
	}
	o.AllowSleep = s.AllowSleep
	if o.Limit, err = bandwidth.ParseSchedule(s.LimitRate); err != nil {
		return o, fmt.Errorf("settings: upload speed limit: %w", err)
	}
	return o, nil
}
