package hosted

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
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
	Form        *form // the account pages' extras (account.go)
}

type choice struct{ Value, Label string }

// render writes page name with status. Pages are never cached, never
// framed and load nothing from elsewhere.
func (ps pages) render(w http.ResponseWriter, status int, name string, v view) {
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
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}
