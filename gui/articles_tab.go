package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// newArticlesPane builds the Articles tab. Until package gui/articles is
// wired in, it is a placeholder that refuses drops politely.
func newArticlesPane(win fyne.Window, d Deps) articlesPane {
	p := &placeholderArticles{msg: widget.NewLabel("")}
	p.msg.Wrapping = fyne.TextWrapWord
	title := widget.NewLabelWithStyle("Articles are coming soon", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	p.content = container.NewCenter(container.NewVBox(title, p.msg))
	return p
}

type placeholderArticles struct {
	msg     *widget.Label
	content fyne.CanvasObject
}

func (p *placeholderArticles) Content() fyne.CanvasObject { return p.content }
func (p *placeholderArticles) Drop(paths []string) {
	p.msg.SetText("Articles cannot take dropped files yet.")
}
func (p *placeholderArticles) Close() {}
