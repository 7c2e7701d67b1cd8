package hosted

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/cognate-idp/cognate/internal/userpool/branding"
)

//go:embed templates/*.html
var templateFS embed.FS

// pages are the parsed templates, one set per file of templates/ (named
// by the file without .html): each defines "body" inside the shared
// "page" layout of page.html.
type pages map[string]*template.Template

func parsePages() (pages, error) {
	ps := pages{}
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "page" {
			continue
		}
		t, err := template.ParseFS(templateFS, "templates/page.html", f)
		if err != nil {
			return nil, err
		}
		ps[name] = t
	}
	return ps, nil
}

// view is what every page shows; each page reads the fields it needs.
type view struct {
	Title       string
	Error       string
	Action      string
	CSRF        string
	Username    string
	Challenge   string
	Session     string
	Destination string
	Choices     []choice
	Required    []string
	Message     string
	Code        string
	Style       style
	Profile     *profileView
	Form        *form // the account pages' extras (account.go)
	// Providers are the login page's identity provider buttons;
	// NoPassword hides its password form.
	Providers  []idpButton
	NoPassword bool
}

type choice struct{ Value, Label string }

// style is the look a page takes from the pool's UI customization or
// branding: the stylesheet (checked and made safe by the branding area)
// and the logo and favicon as data: URLs.
type style struct {
	CSS     template.CSS
	Logo    template.URL
	Favicon template.URL
	Terms   []branding.TermsLink
}

// styledWriter is the response writer of a request to a pool's pages: it
// carries the way to the pool's style for the client the request names
// (client_id, which every page keeps in its query string), looked up only
// when a page is rendered.
type styledWriter struct {
	http.ResponseWriter
	load func() style
}

// styled wraps w so that the pages rendered to it show the pool's style.
func (h *handler) styled(w http.ResponseWriter, r *http.Request, poolID string) http.ResponseWriter {
	if h.Styles == nil {
		return w
	}
	ctx, clientID := r.Context(), r.URL.Query().Get("client_id")
	return &styledWriter{ResponseWriter: w, load: func() style {
		ps, err := h.Styles.PageStyle(ctx, poolID, clientID)
		if err != nil {
			// The page is still shown, in its own look.
			h.Logger.Error("hosted login style", "pool", poolID, "error", err)
			return style{}
		}
		// The branding area makes the CSS safe inside <style> and the
		// images data: URLs of checked image types.
		return style{CSS: template.CSS(ps.CSS), Logo: template.URL(ps.Logo), Favicon: template.URL(ps.Favicon), Terms: ps.Terms}
	}}
}

type idpButton struct{ Name, URL string }

// render writes page name with status, in the pool's style when w is a
// styledWriter. Pages are never cached, never framed and load nothing
// from elsewhere (images are data: URLs).
func (ps pages) render(w http.ResponseWriter, status int, name string, v view) {
	if sw, ok := w.(*styledWriter); ok {
		v.Style = sw.load()
	}
	var buf bytes.Buffer
	t := ps[name]
	if t == nil {
		http.Error(w, "Internal server error", http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(&buf, "page", v); err != nil {
		http.Error(w, "Internal server error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}
