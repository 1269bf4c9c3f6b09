package wangsu

import "github.com/gjw-uploader/gjw-uploader/core/dest"

// The platform's steps, so a stored target's step is named without its
// account's driver.
func init() { dest.RegisterSteps(Platform, steps) }
