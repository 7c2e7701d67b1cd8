package console

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/trigger"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// Path is where the console is mounted; every page is under it.
const Path = "/_cognate/console"

//go:embed templates/*.html templates/console.js
var files embed.FS

// Options are what the console is built from.
type Options struct {
	Service *userpool.Service
	Store   store.Store // for the outbox
	// Triggers is this node's log of recent trigger calls; nil shows none.
	Triggers *trigger.CallLog
	// AdminAccessKeyID and AdminSecretAccessKey, when set, are the HTTP
	// Basic credentials the console asks for.
	AdminAccessKeyID     string
	AdminSecretAccessKey string
	// Key (32 bytes, derived from the server secret) signs the CSRF tokens.
	Key    []byte
	Random io.Reader
	Logger *slog.Logger
	Now    func() time.Time
}

// Console is the console's HTTP handler.
type Console struct {
	o     Options
	mux   *http.ServeMux
	pages map[string]*template.Template
}

// New returns the console. It panics if the embedded templates do not
// parse, which a test catches.
func New(o Options) *Console {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	c := &Console{o: o, mux: http.NewServeMux(), pages: map[string]*template.Template{}}
	funcs := template.FuncMap{
		"path":     url.PathEscape,
		"when":     func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") },
		"deref":    model.StringValue,
		"on":       func(b *bool) bool { return b != nil && *b },
		"userpath": userURL,
		"actions":  userActions,
	}
	for _, p := range []string{"pools", "pool", "user", "outbox", "triggers"} {
		c.pages[p] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/"+p+".html"))
	}
	c.routes()
	return c
}

func (c *Console) routes() {
	get := func(pattern string, h func(http.ResponseWriter, *http.Request) error) {
		c.mux.Handle("GET "+Path+pattern, c.page(h))
	}
	get("/{$}", c.poolsPage)
	get("/pools/{pool}", c.poolPage)
	get("/pools/{pool}/users/{user}", c.userPage)
	get("/outbox", c.outboxPage)
	get("/outbox.json", c.outboxJSON)
	get("/triggers", c.triggersPage)
	get("/triggers.json", c.triggersJSON)
	c.mux.HandleFunc("GET "+Path+"/console.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		http.ServeFileFS(w, r, files, "templates/console.js")
	})
	c.mux.HandleFunc("GET "+Path, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Path+"/", http.StatusSeeOther)
	})
	post := func(pattern string, h func(http.ResponseWriter, *http.Request) (string, error)) {
		c.mux.Handle("POST "+Path+pattern, c.action(h))
	}
	post("/pools", c.createPool)
	post("/pools/{pool}/users", c.createUser)
	post("/pools/{pool}/groups", c.createGroup)
	post("/pools/{pool}/users/{user}/{action}", c.userAction)
}

// ServeHTTP checks access, then serves a page or an action.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	if !c.authorized(r) {
		h.Set("WWW-Authenticate", `Basic realm="Cognate console", charset="UTF-8"`)
		http.Error(w, "The console needs the admin access key id (user) and secret access key (password).", http.StatusUnauthorized)
		return
	}
	c.mux.ServeHTTP(w, r)
}

// view is what every page template gets.
type view struct {
	Title  string
	Nav    string
	CSRF   string
	Flash  string
	Failed bool // Flash is an error
	Data   any
}

// page wraps a GET handler: it ensures a session and reports errors.
func (c *Console) page(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := c.session(w, r); err != nil {
			c.fail(w, r, err)
			return
		}
		if err := h(w, r); err != nil {
			c.fail(w, r, err)
		}
	})
}

// render writes page name with data.
func (c *Console) render(w http.ResponseWriter, r *http.Request, name, title string, data any) error {
	id, err := c.session(w, r)
	if err != nil {
		return err
	}
	v := view{Title: title, Nav: name, CSRF: c.csrfToken(id), Data: data}
	if f := c.takeFlash(w, r); f != "" {
		v.Failed = strings.HasPrefix(f, "!")
		v.Flash = strings.TrimPrefix(f, "!")
	}
	var buf bytes.Buffer
	if err := c.pages[name].Execute(&buf, v); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err = w.Write(buf.Bytes())
	return err
}

// action wraps a POST handler: it checks the CSRF token, runs h and
// redirects to the page h names (or back) with its outcome as a notice.
func (c *Console) action(h func(http.ResponseWriter, *http.Request) (string, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil || !c.checkCSRF(r) {
			http.Error(w, "The form is stale or was not sent by this console: reload the page and try again.", http.StatusForbidden)
			return
		}
		back := r.PostFormValue("back")
		if !strings.HasPrefix(back, Path+"/") || strings.HasPrefix(back, "//") {
			back = Path + "/"
		}
		next, err := h(w, r)
		if err != nil {
			c.setFlash(w, "!"+c.describe(r, err))
			http.Redirect(w, r, back, http.StatusSeeOther)
			return
		}
		notice, to := next, back
		if i := strings.LastIndex(next, "|"); i >= 0 && strings.HasPrefix(next[i+1:], Path+"/") {
			notice, to = next[:i], next[i+1:]
		}
		c.setFlash(w, notice)
		http.Redirect(w, r, to, http.StatusSeeOther)
	})
}

// describe is what the person sees of err: a Cognito error as the API
// sends it (code and message), anything else as the API's internal error.
func (c *Console) describe(r *http.Request, err error) string {
	var ce *cognito.Error
	if errors.As(err, &ce) {
		return string(ce.Code) + ": " + ce.Message
	}
	c.o.Logger.ErrorContext(r.Context(), "console", "path", r.URL.Path, "error", err)
	return string(cognito.InternalError) + ": Internal server error."
}

// fail answers a GET whose page could not be built.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	var ce *cognito.Error
	if errors.As(err, &ce) {
		status = http.StatusBadRequest
		if ce.Code == cognito.ResourceNotFound || ce.Code == cognito.UserNotFound {
			status = http.StatusNotFound
		}
	}
	http.Error(w, c.describe(r, err), status)
}

// call validates in as the API edge does (the model's length, pattern and
// required-member rules) and then calls the service method f: a form is
// held to the same rules and errors as the operation.
func call[In, Out any](ctx context.Context, f func(context.Context, *In) (Out, error), in *In) (Out, error) {
	if err := model.Validate(in); err != nil {
		var zero Out
		return zero, err
	}
	return f(ctx, in)
}
