package hosted

import (
	"fmt"
	"html/template"
	"image/color"
	"strings"

	"github.com/boombuler/barcode/qr"
)

// qrSVG draws text as a QR code in inline SVG (a dark module per unit,
// four units of quiet zone), so that the page needs no image source.
func qrSVG(text string) (template.HTML, error) {
	code, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return "", err
	}
	b := code.Bounds()
	n := b.Dx()
	var path strings.Builder
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < n; x++ {
			if color.GrayModel.Convert(code.At(b.Min.X+x, b.Min.Y+y)).(color.Gray).Y < 0x80 {
				fmt.Fprintf(&path, "M%d %dh1v1h-1z", x+4, y+4)
			}
		}
	}
	size := n + 8
	// The text is a URL-safe otpauth URI and path holds only digits and
	// path commands, so nothing here needs escaping.
	return template.HTML(fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="200" height="200" role="img" aria-label="QR code of the authenticator key" id="qr" shape-rendering="crispEdges"><rect width="%d" height="%d" fill="#fff"/><path d="%s" fill="#000"/></svg>`,
		size, size, size, size, path.String())), nil
}
