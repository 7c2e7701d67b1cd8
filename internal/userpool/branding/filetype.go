package branding

import (
	"bytes"
	"strings"
)

// isFileType reports whether b begins as a file of the extension ext
// (an AssetExtensionType) does: by its magic number, or for SVG by an XML
// or <svg start.
func isFileType(b []byte, ext string) bool {
	switch ext {
	case "PNG":
		return bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n"))
	case "JPEG":
		return bytes.HasPrefix(b, []byte{0xff, 0xd8, 0xff})
	case "ICO":
		return bytes.HasPrefix(b, []byte{0, 0, 1, 0})
	case "WEBP":
		return len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP"
	case "SVG":
		head := strings.ToLower(strings.TrimSpace(string(b[:min(len(b), 1024)])))
		head = strings.TrimPrefix(head, "\ufeff")
		return strings.HasPrefix(head, "<?xml") || strings.HasPrefix(head, "<svg") || strings.HasPrefix(head, "<!--") || strings.HasPrefix(head, "<!doctype svg")
	}
	return false
}
