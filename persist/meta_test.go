package persist

import (
	"encoding/json"
	"testing"
)

// A record written before extras existed keeps its category, now Gan Jing
// World's extra; written again it has extras only.
func TestVideoMetaReadsTheOldCategory(t *testing.T) {
	var m VideoMeta
	if err := json.Unmarshal([]byte(`{"title":"T","category":"cat7","lang":"th","visibility":"public"}`), &m); err != nil {
		t.Fatal(err)
	}
	if m.Title != "T" || m.Lang != "th" || m.Extra("gjw", "category") != "cat7" {
		t.Fatalf("read %+v", m)
	}
	b, _ := json.Marshal(m)
	var again VideoMeta
	if err := json.Unmarshal(b, &again); err != nil || !again.Equal(m) {
		t.Fatalf("round trip %s: %+v %v", b, again, err)
	}
	if string(b) != `{"title":"T","description":"","lang":"th","visibility":"public","made_for_kids":false,"extras":{"gjw":{"category":"cat7"}}}` {
		t.Fatalf("written as %s", b)
	}
}

// WithExtra never changes the metadata it was called on, nor copies
// sharing its maps (settings' defaults copied into every new job).
func TestWithExtraCopies(t *testing.T) {
	defaults := VideoMeta{Lang: "en-US"}.WithExtra("gjw", "category", "cat13")
	job := defaults.WithExtra("gjw", "category", "cat7").WithExtra("other", "tag", "x")
	if defaults.Extra("gjw", "category") != "cat13" || defaults.Extra("other", "tag") != "" {
		t.Fatalf("defaults changed: %+v", defaults)
	}
	if job.Extra("gjw", "category") != "cat7" || job.Extra("other", "tag") != "x" || job.Equal(defaults) {
		t.Fatalf("job %+v", job)
	}
	if cleared := job.WithExtra("other", "tag", "").WithExtra("gjw", "category", ""); cleared.Extras != nil || !cleared.Equal(VideoMeta{Lang: "en-US"}) {
		t.Fatalf("cleared %+v", cleared)
	}
}
