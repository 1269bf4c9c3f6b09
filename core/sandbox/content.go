package sandbox

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"golang.org/x/net/html"
)

// fieldError is a validation failure, answered as 400 {"message": "<field>: <why>"}.
type fieldError struct{ field, why string }

func (e fieldError) Error() string { return e.field + ": " + e.why }

func bad(field, format string, args ...any) error {
	return fieldError{field, fmt.Sprintf(format, args...)}
}

// platformJSON authorizes a platform API request (raw access token) and
// decodes its JSON object body, answering the error itself when either fails.
func (s *Server) platformJSON(w http.ResponseWriter, r *http.Request) (channel string, body map[string]any, ok bool) {
	if channel, ok = s.platformAuth(w, r); !ok {
		return "", nil, false
	}
	body, err := decodeJSONObject(w, r)
	if err != nil {
		writeError(w, r, http.StatusBadRequest, err.Error())
		return "", nil, false
	}
	return channel, body, true
}

func (s *Server) handleAddContent(w http.ResponseWriter, r *http.Request) {
	channel, body, ok := s.platformJSON(w, r)
	if !ok {
		return
	}
	typ, err := s.validateContent(body, channel, "")
	if err != nil {
		writeError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	_, hasMode := body["mode"]
	c := &content{
		Content: Content{
			ID:        randomHex(10),
			Type:      typ,
			ChannelID: channel,
			Fields:    body,
			// The article guide: "published as soon as /add-content succeeds".
			Published: typ == "News",
		},
		createdAt: time.Now().UTC(),
		draft:     typ == "Video" && hasMode,
	}
	s.mu.Lock()
	s.contents[c.ID] = c
	s.stats.AddContent++
	resp := s.contentResponseLocked(c)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, resp)
}

// handleUpdateContent replaces a content's fields. For a Video, an update
// after its transcoding has completed (its status reported the HLS URL) is
// the guide's step 8 and publishes it, unless any body for it carried "mode".
func (s *Server) handleUpdateContent(w http.ResponseWriter, r *http.Request) {
	channel, body, ok := s.platformJSON(w, r)
	if !ok {
		return
	}
	id, _ := body["content_id"].(string)
	if id == "" {
		writeError(w, r, http.StatusBadRequest, "content_id: required (a non-empty string)")
		return
	}
	s.mu.Lock()
	c, found := s.contents[id]
	found = found && c.ChannelID == channel
	var typ string
	if found {
		typ = c.Type
	}
	s.mu.Unlock()
	if !found {
		writeError(w, r, http.StatusNotFound, "content_id: no such content on this channel")
		return
	}
	if _, err := s.validateContent(body, channel, typ); err != nil {
		writeError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	_, hasMode := body["mode"]

	s.mu.Lock()
	c.Fields = body
	c.Updates++
	if typ == "Video" {
		c.draft = c.draft || hasMode
		if v := s.videos[c.VideoID]; v != nil && v.done && !c.draft {
			c.Published = true
		}
	}
	s.stats.UpdateContent++
	resp := s.contentResponseLocked(c)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) contentResponseLocked(c *content) map[string]any {
	title, _ := c.Fields["title"].(string)
	visibility, _ := c.Fields["visibility"].(string)
	fields := map[string]any{
		"owner_id":   c.ChannelID,
		"type":       c.Type,
		"title":      title,
		"visibility": visibility,
		"created_at": c.createdAt.Format(time.RFC3339),
	}
	switch s.shapes.ContentID {
	case "", "content_id":
		fields["content_id"] = c.ID
		return fields
	case "id":
		fields["id"] = c.ID
		return fields
	case "data.id":
		fields["id"] = c.ID
	default: // "data.content_id"
		fields["content_id"] = c.ID
	}
	return wrapped("data", fields)
}

var reUploadID = regexp.MustCompile(`^[0-9a-f]{32}$`)

func (s *Server) handleUploadID(w http.ResponseWriter, r *http.Request) {
	channel, body, ok := s.platformJSON(w, r)
	if !ok {
		return
	}
	id, _ := body["content_id"].(string)
	typ, _ := body["type"].(string)
	uploadID, _ := body["upload_id"].(string)
	var err error
	switch {
	case id == "":
		err = bad("content_id", "required (a non-empty string)")
	case typ != "Studio_TUS":
		err = bad("type", "must be \"Studio_TUS\"")
	case !reUploadID.MatchString(uploadID):
		err = bad("upload_id", "must be 32 lowercase hexadecimal characters")
	}
	if err != nil {
		writeError(w, r, http.StatusBadRequest, err.Error())
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	c, found := s.contents[id]
	if !found || c.ChannelID != channel {
		writeError(w, r, http.StatusNotFound, "content_id: no such content on this channel")
		return
	}
	if c.Type != "Video" {
		writeError(w, r, http.StatusBadRequest, "content_id: upload ids are for Video content")
		return
	}
	if other, taken := s.uploadIDs[uploadID]; taken && other != id {
		writeError(w, r, http.StatusConflict, "upload_id: already registered to another content")
		return
	}
	s.uploadIDs[uploadID] = id
	c.UploadID = uploadID
	s.stats.UploadIDs++
	writeJSON(w, http.StatusOK, wrapped("body", map[string]any{
		"content_id": id,
		"type":       typ,
		"upload_id":  uploadID,
	}))
}

// validateContent checks an add-content (wantType "") or update-content
// body and returns its type.
func (s *Server) validateContent(b map[string]any, channel, wantType string) (string, error) {
	owner, err := str(b, "user_id2", true)
	if err != nil {
		return "", err
	}
	if owner != channel {
		return "", bad("user_id2", "%q is not the signed-in channel", owner)
	}
	typ, err := str(b, "type", true)
	if err != nil {
		return "", err
	}
	if typ != "Video" && typ != "News" {
		return "", bad("type", "must be \"Video\" or \"News\", got %q", typ)
	}
	if wantType != "" && typ != wantType {
		return "", bad("type", "content is %q, not %q", wantType, typ)
	}
	if typ == "Video" {
		return typ, s.validateVideo(b)
	}
	return typ, s.validateNews(b)
}

// validateVideo follows the video guide's field table. A "mode" field is
// accepted, as the platform accepts it, but leaves the video unpublished.
func (s *Server) validateVideo(b map[string]any) error {
	for _, f := range []string{"lang", "category_id", "title"} {
		if _, err := str(b, f, true); err != nil {
			return err
		}
	}
	if _, err := str(b, "description", false); err != nil {
		return err
	}
	if err := oneOf(b, "visibility", "public", "private"); err != nil {
		return err
	}
	return s.validatePostersAndKids(b)
}

// validateNews follows the article guide's field table.
func (s *Server) validateNews(b map[string]any) error {
	mode, err := str(b, "mode", true)
	if err != nil {
		return err
	}
	if mode != "ready" {
		return bad("mode", "must be \"ready\", got %q", mode)
	}
	for _, f := range []string{"lang", "category_id", "title"} {
		if _, err := str(b, f, true); err != nil {
			return err
		}
	}
	if _, ok := b["description"]; ok {
		if _, err := str(b, "description", false); err != nil {
			return err
		}
	}
	if err := oneOf(b, "visibility", "public", "unlisted", "private"); err != nil {
		return err
	}
	if err := s.validatePostersAndKids(b); err != nil {
		return err
	}
	meta, ok := b["meta"].(map[string]any)
	if !ok {
		return bad("meta", "required (an object with a text field)")
	}
	text, ok := meta["text"].(string)
	if !ok || strings.TrimSpace(text) == "" {
		return bad("meta.text", "required (the article HTML, non-empty)")
	}
	if err := s.checkInlineImages(text); err != nil {
		return err
	}
	for _, f := range []string{"keywords", "hashtags", "deleteTranslations"} {
		if v, ok := b[f]; ok {
			if _, isArr := v.([]any); !isArr {
				return bad(f, "must be an array")
			}
		}
	}
	for _, f := range []string{"protected_type", "slug"} {
		if v, ok := b[f]; ok {
			if _, isStr := v.(string); !isStr {
				return bad(f, "must be a string")
			}
		}
	}
	if v, ok := b["premium"]; ok {
		if p, isNum := v.(float64); !isNum || (p != 0 && p != 1) {
			return bad("premium", "must be 0 or 1")
		}
	}
	schedule := false
	if v, ok := b["use_schedule"]; ok {
		if schedule, ok = v.(bool); !ok {
			return bad("use_schedule", "must be a boolean")
		}
	}
	if schedule {
		ms, ok := b["time_scheduled"].(float64)
		if !ok {
			return bad("time_scheduled", "required when use_schedule is true (Unix milliseconds)")
		}
		if int64(ms) <= time.Now().UnixMilli() {
			return bad("time_scheduled", "must be in the future (Unix milliseconds)")
		}
	}
	return nil
}

func (s *Server) validatePostersAndKids(b map[string]any) error {
	for _, f := range []string{"poster_url", "poster_hd_url"} {
		u, err := str(b, f, true)
		if err != nil {
			return err
		}
		if !s.isIssued(u) {
			return bad(f, "%s was not issued by this image host (upload it via /api/v2/image first)", u)
		}
	}
	for _, f := range []string{"made_for_kids", "user_made_for_kids"} {
		v, ok := b[f]
		if !ok {
			return bad(f, "required (a boolean)")
		}
		if _, isBool := v.(bool); !isBool {
			return bad(f, "must be a JSON boolean, got %T", v)
		}
	}
	return nil
}

// checkInlineImages requires every <img src> in the article HTML to be a URL
// this image host issued, as the article guide demands.
func (s *Server) checkInlineImages(text string) error {
	z := html.NewTokenizer(strings.NewReader(text))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return nil
		case html.StartTagToken, html.SelfClosingTagToken:
			t := z.Token()
			if t.Data != "img" {
				continue
			}
			src := ""
			for _, a := range t.Attr {
				if a.Key == "src" {
					src = a.Val
				}
			}
			if src == "" {
				return bad("meta.text", "<img> without src")
			}
			if !s.isIssued(src) {
				return bad("meta.text", "<img src=%q> was not uploaded to this image host", src)
			}
		}
	}
}

func (s *Server) isIssued(u string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.issued[u]
	return ok
}

// str returns b[f] as a string. A required field must be non-blank; an
// optional one must merely be present and a string.
func str(b map[string]any, f string, nonEmpty bool) (string, error) {
	v, ok := b[f]
	if !ok {
		return "", bad(f, "required")
	}
	sv, ok := v.(string)
	if !ok {
		return "", bad(f, "must be a string, got %T", v)
	}
	if nonEmpty && strings.TrimSpace(sv) == "" {
		return "", bad(f, "must not be empty")
	}
	return sv, nil
}

func oneOf(b map[string]any, f string, allowed ...string) error {
	v, err := str(b, f, true)
	if err != nil {
		return err
	}
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return bad(f, "must be one of %s, got %q", strings.Join(allowed, ", "), v)
}
