package sandboxtest

import (
	"sync"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// GJWView is a one-target job as the tests written for release 1 read it:
// the target's step, state, reason and offset with the GJW checkpoint's
// results.
type GJWView struct {
	Step, State, Error                   string
	Reason                               dest.Reason
	Offset                               int64
	ContentID, UploadID, VideoID, HLSURL string
	PosterURL, PosterHDURL               string
	MetaDirty                            bool
}

// View reads job j's first target as a GJWView; an empty step reads as
// the first one (token), as release 1 stored a job not started yet.
func View(j persist.Job) GJWView {
	if len(j.Targets) == 0 {
		return GJWView{}
	}
	t := j.Targets[0]
	cp, _ := gjw.ReadCheckpoint(t.Checkpoint)
	v := GJWView{
		Step: t.Step, State: t.State, Error: t.Error, Reason: dest.Reason(t.Reason), Offset: t.Offset,
		ContentID: cp.ContentID, UploadID: cp.UploadID, VideoID: cp.VideoID, HLSURL: cp.HLSURL,
		PosterURL: cp.PosterURL, PosterHDURL: cp.PosterHDURL, MetaDirty: t.SentRev < j.EditRev,
	}
	if v.Step == "" {
		v.Step = gjw.StepToken
	}
	return v
}

// Session is one account's session kept in memory (a gjw.CredentialStore).
type Session struct {
	mu sync.Mutex
	c  persist.Credentials
	ok bool
}

// SessionOf returns a session signed in with acct.
func SessionOf(acct sandbox.Account) *Session {
	s := &Session{}
	s.SignIn(acct)
	return s
}

func (s *Session) Credentials() (persist.Credentials, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.c, s.ok, nil
}

func (s *Session) PutCredentials(c persist.Credentials) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.c, s.ok = c, true
	return nil
}

// SignIn replaces the session with acct's tokens.
func (s *Session) SignIn(acct sandbox.Account) {
	s.PutCredentials(persist.Credentials{AccessToken: acct.AccessToken, RefreshToken: acct.RefreshToken,
		ChannelID: acct.ChannelID, ExpiresAt: time.Now().Add(time.Duration(acct.ExpiresIn) * time.Second)})
}

// SignOut forgets the session.
func (s *Session) SignOut() {
	s.mu.Lock()
	s.c, s.ok = persist.Credentials{}, false
	s.mu.Unlock()
}
