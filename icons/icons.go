// Package icons holds GJW Uploader's bundled images. Only gui and
// cmd/gjw-uploader use it.
package icons

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:embed icon.png
var iconPNG []byte

// App is the application and window icon (512×512 PNG, drawn by gen.go).
var App fyne.Resource = fyne.NewStaticResource("icon.png", iconPNG)
