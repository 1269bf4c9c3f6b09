package wangsu

import (
	"bytes"
	"net/http"
	"testing"
	"time"
)

// The fixed vector of destinations-protocols.md 2.1.1 (not an official
// one): computed from the documented algorithm, and recomputed
// independently with Python's hashlib/hmac over the canonical request
//
//	"POST\n/vod/videoManage/getUploadToken\n\ncontent-type:application/json; charset=utf-8\nhost:api.cloudv.haplat.net\n\ncontent-type;host\n" + sha256hex(body)
//
// with secret EXAMPLESECRETKEY and timestamp 1564645579; both agree.
const (
	vectorBody = `{"originFileName":"uploadtest.mp4"}`
	vectorHash = "eb472e909245e772d518fa03e3aafa6e986effd01addd4325f2707f3729997dc"
	vectorSig  = "4f0bfb3315c41c0008f597290eaa3fdff487337441ec604533bbdbad7656366e"
)

func TestSignatureVector(t *testing.T) {
	got := Signature("EXAMPLESECRETKEY", "POST", "/vod/videoManage/getUploadToken", "",
		map[string]string{"content-type": "application/json; charset=utf-8", "host": "api.cloudv.haplat.net"}, "1564645579", []byte(vectorBody))
	if got != vectorSig {
		t.Fatalf("signature %s, want %s", got, vectorSig)
	}
	if h := sha256hex([]byte(vectorBody)); h != vectorHash {
		t.Fatalf("payload hash %s, want %s", h, vectorHash)
	}
	// Another body byte changes it.
	if Signature("EXAMPLESECRETKEY", "POST", "/vod/videoManage/getUploadToken", "",
		map[string]string{"content-type": "application/json; charset=utf-8", "host": "api.cloudv.haplat.net"}, "1564645579", []byte(vectorBody+" ")) == vectorSig {
		t.Fatal("a changed body signs the same")
	}
}

func TestSignRequest(t *testing.T) {
	req, _ := http.NewRequest("POST", "https://API.cloudv.haplat.net/vod/videoManage/getUploadToken", bytes.NewReader([]byte(vectorBody)))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	Sign(req, "AKID", "EXAMPLESECRETKEY", []byte(vectorBody), time.Unix(1564645579, 0))
	if req.Header.Get("X-WS-AccessKey") != "AKID" || req.Header.Get("X-WS-Timestamp") != "1564645579" {
		t.Fatalf("headers %v", req.Header)
	}
	want := "WS3-HMAC-SHA256 Credential=AKID, SignedHeaders=content-type;host, Signature=" + vectorSig
	if got := req.Header.Get("Authorization"); got != want {
		t.Fatalf("Authorization %q, want %q", got, want)
	}
}
