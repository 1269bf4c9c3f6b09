package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gjw-uploader/gjw-uploader/core/sandbox"
)

func TestCategoryNamesThenUploadByName(t *testing.T) {
	c := newCLI(t, sandbox.Config{}, testSize)
	if o := c.gjw(inProcess, "category", "list"); o.code != 0 || !strings.Contains(o.stdout, "no category is named yet") {
		t.Fatalf("empty list: %v", o)
	}
	for _, args := range [][]string{{"cat13", "Culture"}, {"cat7", "Travel"}, {"cat13", "Arts & Culture"}} {
		if o := c.gjw(inProcess, append([]string{"category", "name"}, args...)...); o.code != 0 {
			t.Fatalf("category name %v: %v", args, o)
		}
	}
	o := c.gjw(inProcess, "category", "list", "--json")
	var names []struct{ ID, Name string }
	if err := json.Unmarshal([]byte(o.stdout), &names); err != nil || len(names) != 2 ||
		names[0].ID != "cat13" || names[0].Name != "Arts & Culture" || names[1].ID != "cat7" {
		t.Fatalf("list after naming and a rename: %v (%v)", o, err)
	}
	for _, bad := range [][]string{{"news", "News"}, {"cat8", "travel"}} {
		if o := c.gjw(inProcess, append([]string{"category", "name"}, bad...)...); o.code != exitUsage {
			t.Fatalf("category name %v was taken: %v", bad, o)
		}
	}

	c.login(inProcess, c.sb.Server.DemoAccount())
	o = c.gjw(inProcess, "upload", c.video, "--title", "t", "--thumbnail", c.thumb, "--category", "Travl")
	if o.code != exitUsage || !strings.Contains(o.stderr, `--category: "Travl" is no category`) || c.sb.Server.Stats().AddContent != 0 {
		t.Fatalf("a misspelt name was not refused before uploading: %v", o)
	}
	o = c.gjw(inProcess, "upload", c.video, "--title", "t", "--thumbnail", c.thumb, "--category", "travel", "--json")
	var res uploadResult
	if err := json.Unmarshal([]byte(o.stdout), &res); o.code != 0 || err != nil {
		t.Fatalf("upload by name: %v", o)
	}
	if content, _ := c.sb.Server.Content(res.ContentID); content.Fields["category_id"] != "cat7" {
		t.Fatalf("the platform got category %v, want cat7", content.Fields["category_id"])
	}
}
