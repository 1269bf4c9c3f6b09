package core_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

func TestOptionsFromEnvOverridesSettings(t *testing.T) {
	t.Setenv("GJW_API_URL", "http://api.test")
	t.Setenv("GJW_CHUNK_SIZE", "1048576")
	t.Setenv("GJW_POLL_INTERVAL", "250ms")
	t.Setenv("GJW_POLL_ATTEMPTS", "7")
	t.Setenv("GJW_RETRY_DELAYS", "0, 1ms,2s")
	o, err := core.OptionsFrom(persist.Settings{APIURL: "http://from-settings", VODURL: "http://vod.settings", ChunkSize: 5, Parallel: 3})
	if err != nil {
		t.Fatal(err)
	}
	if o.Hosts.API != "http://api.test" || o.Hosts.VOD != "http://vod.settings" || o.Hosts.Image != "https://imgapi.cloudokyo.cloud" {
		t.Errorf("hosts %+v", o.Hosts)
	}
	if o.ChunkSize != 1<<20 || o.PollInterval != 250*time.Millisecond || o.PollAttempts != 7 || o.Parallel != 3 {
		t.Errorf("options %+v", o)
	}
	if d := o.RetryDelays; len(d) != 3 || d[0] != 0 || d[1] != time.Millisecond || d[2] != 2*time.Second {
		t.Errorf("retry delays %v", d)
	}
}

func TestOptionsFromEnvRejectsMalformedValues(t *testing.T) {
	for name, value := range map[string]string{
		"GJW_CHUNK_SIZE": "10MB", "GJW_POLL_INTERVAL": "soon", "GJW_POLL_ATTEMPTS": "-1", "GJW_RETRY_DELAYS": "1s,later",
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(name, value)
			if _, err := core.OptionsFrom(persist.Settings{}); err == nil || !strings.Contains(err.Error(), name) {
				t.Fatalf("want an error naming %s, got %v", name, err)
			}
		})
	}
}
