package main

import "context"

func cmdArticle(ctx context.Context, a *app, args []string) error {
	return usageError{"gjw article is not available yet"}
}
