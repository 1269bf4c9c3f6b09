package persist

import (
	"log"

	tus "github.com/eventials/go-tus"
)

// tusEntry is the value under tus/<fingerprint>.
type tusEntry struct {
	Version int    `json:"v"`
	URL     string `json:"url"`
}

// TusStore returns a go-tus Store that keeps the fingerprint-to-upload-URL
// map in d under tus/<fingerprint>; the fingerprint is the job ID, so
// DeleteJob removes the entry too. go-tus's Store methods cannot return
// errors, so failures are logged (never the URL) and Get reports a miss.
// Close does nothing: the DB owns the lifetime.
func (d *DB) TusStore() tus.Store { return tusStore{d} }

type tusStore struct{ d *DB }

var _ tus.Store = tusStore{}

func (s tusStore) Get(fingerprint string) (string, bool) {
	var e tusEntry
	ok, err := s.d.get(tusPrefix+fingerprint, &e)
	if err != nil {
		log.Printf("persist: TUS store get %q: %v", fingerprint, err)
		return "", false
	}
	if !ok || e.URL == "" {
		return "", false
	}
	return e.URL, true
}

func (s tusStore) Set(fingerprint, url string) {
	if fingerprint == "" {
		log.Printf("persist: TUS store set: empty fingerprint")
		return
	}
	if err := s.d.put(tusPrefix+fingerprint, tusEntry{Version: RecordVersion, URL: url}); err != nil {
		log.Printf("persist: TUS store set %q: %v", fingerprint, err)
	}
}

func (s tusStore) Delete(fingerprint string) {
	if err := s.d.del(tusPrefix + fingerprint); err != nil {
		log.Printf("persist: TUS store delete %q: %v", fingerprint, err)
	}
}

func (tusStore) Close() {}
