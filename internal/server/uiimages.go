package server

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
)

// UIImages serves the logos of UI customizations.
type UIImages interface {
	UIImage(ctx context.Context, poolID, clientID, version string) (img []byte, mediaType string, found bool, err error)
}

// uiImagePath is the route of the ImageUrl that SetUICustomization and
// GetUICustomization return.
const uiImagePath = "GET /ui-customization/{pool}/{client}/{version}/assets/images/{file}"

// uiImage serves the logo an ImageUrl names, while that version of the
// customization is current; anything else is a 404.
func uiImage(im UIImages, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		img, mt, found, err := im.UIImage(r.Context(), r.PathValue("pool"), r.PathValue("client"), r.PathValue("version"))
		if err != nil {
			log.Error("ui customization image", "error", err)
			writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "Internal server error."})
			return
		}
		want := map[string]string{"image/png": "image.png", "image/jpeg": "image.jpg"}[mt]
		if !found || r.PathValue("file") != want {
			writeJSON(w, http.StatusNotFound, map[string]string{"message": "No such image."})
			return
		}
		h := w.Header()
		h.Set("Content-Type", mt)
		h.Set("Content-Length", strconv.Itoa(len(img)))
		h.Set("X-Content-Type-Options", "nosniff")
		// The URL names one version, so the image under it never changes.
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		_, _ = w.Write(img)
	})
}
