package sandbox

import (
	"sort"
	"time"
)

// NewChannel signs in to a further channel of the sandbox (a second Gan
// Jing World account), returning its fresh token pair.
func (s *Server) NewChannel(channel string) Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	access, refresh := s.issuePairLocked(channel)
	return Account{
		AccessToken: access, RefreshToken: refresh, ChannelID: channel,
		ExpiresIn: int64(s.cfg.AccessTTL / time.Second),
	}
}

// ContentsOf returns snapshots of channel's content entries, oldest first.
func (s *Server) ContentsOf(channel string) []Content {
	s.mu.Lock()
	var ids []string
	for id, c := range s.contents {
		if c.ChannelID == channel {
			ids = append(ids, id)
		}
	}
	s.mu.Unlock()
	sort.Strings(ids)
	out := make([]Content, 0, len(ids))
	for _, id := range ids {
		if c, ok := s.Content(id); ok {
			out = append(out, c)
		}
	}
	return out
}
