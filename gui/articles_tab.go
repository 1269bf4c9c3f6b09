package gui

import (
	"context"

	"fyne.io/fyne/v2"

	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/gui/articles"
)

// newArticlesPane builds the Articles tab (package gui/articles). It
// shares the engine's platform client, so token refreshes stay serialised.
// Tests replace it: the articles view schedules its own UI work with
// fyne.Do, which Fyne's test driver runs on the calling goroutine.
var newArticlesPane = func(ctx context.Context, win fyne.Window, d Deps, categories func() gjw.CategoryNames) articlesPane {
	return articles.New(win, articles.Deps{Ctx: ctx, Engine: d.Engine, DB: d.DB, Accounts: d.Accounts, CategoryNames: categories})
}
