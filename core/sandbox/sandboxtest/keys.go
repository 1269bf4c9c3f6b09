package sandboxtest

import (
	"testing"

	gcoresb "github.com/gjw-uploader/gjw-uploader/core/sandbox/gcore"
	jwsb "github.com/gjw-uploader/gjw-uploader/core/sandbox/jw"
	wangsusb "github.com/gjw-uploader/gjw-uploader/core/sandbox/wangsu"
)

// KeyPlatforms are the sandboxes of the platforms whose accounts are keys
// (Gcore, JW Player, Wangsu), on loopback with their demo keys.
type KeyPlatforms struct {
	Gcore  *gcoresb.Running
	JW     *jwsb.Running
	Wangsu *wangsusb.Running
}

// StartKeyPlatforms starts the three and points GCORE_API_URL, JW_API_URL
// and WANGSU_API_URL at them (t.Setenv); they close when the test ends.
func StartKeyPlatforms(t *testing.T) KeyPlatforms {
	t.Helper()
	var k KeyPlatforms
	var err error
	if k.Gcore, err = gcoresb.Start(gcoresb.Config{Dir: t.TempDir()}, "127.0.0.1", 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Gcore.Close() })
	if k.JW, err = jwsb.Start(jwsb.Config{}, "127.0.0.1", 0, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.JW.Close() })
	if k.Wangsu, err = wangsusb.Start(wangsusb.Config{}, "127.0.0.1", 0, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Wangsu.Close() })
	t.Setenv("GCORE_API_URL", k.Gcore.APIURL)
	t.Setenv("JW_API_URL", k.JW.APIURL)
	t.Setenv("WANGSU_API_URL", k.Wangsu.APIURL)
	return k
}
