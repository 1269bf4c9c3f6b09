package sandbox

import (
	"html/template"
	"net/http"
)

// The public pages of content entries, as www.ganjingworld.com has them
// (/video/ID, /news/ID): served on the API host, so that an app pointed
// at the sandbox opens links to what it published here.

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>{{.Title}} · Gan Jing World sandbox</title></head>
<body style="font-family: sans-serif; max-width: 720px; margin: 2em auto">
<p style="color: #a60">Local sandbox of Gan Jing World: nothing here is on the real site.</p>
<h1>{{.Title}}</h1>
{{if .Poster}}<img src="{{.Poster}}" alt="poster" style="max-width: 100%">{{end}}
<p>{{.Kind}} {{.ID}} · channel {{.Channel}} · {{.Visibility}} · {{.State}}</p>
<p>{{.Description}}</p>
</body></html>
`))

// handlePage answers /video/{id} (kind Video) and /news/{id} (kind News).
func (s *Server) handlePage(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, ok := s.Content(r.PathValue("id"))
		if !ok || c.Type != kind {
			http.Error(w, "no such "+kind+" in the sandbox", http.StatusNotFound)
			return
		}
		field := func(k string) string { v, _ := c.Fields[k].(string); return v }
		state := "processing"
		if c.Published {
			state = "published"
		}
		poster := field("poster_hd_url")
		if poster == "" {
			poster = field("poster_url")
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		pageTemplate.Execute(w, map[string]string{
			"Title": field("title"), "Kind": kind, "ID": c.ID, "Channel": c.ChannelID, "Visibility": field("visibility"),
			"State": state, "Description": field("description"), "Poster": poster,
		})
	}
}
