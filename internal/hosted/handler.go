package hosted

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/userpool/branding"
	"github.com/cognate-idp/cognate/internal/userpool/login"
)

// Domains finds the pool whose domain a request reaches.
type Domains interface {
	// DomainPool returns the pool of the prefix domain host names, or
	// poolID when that pool has a domain; "" for none.
	DomainPool(ctx context.Context, host, poolID string) (string, error)
}

// Options are what the pages are built from.
type Options struct {
	Login   *login.Service
	Domains Domains
	// Styles gives the pages the pool's UI customization or branding;
	// nil keeps their own look.
	Styles Styles
	// Users serves the profile page; nil leaves it out.
	Users  Users
	Logger *slog.Logger
}

// Styles finds the look of a pool's pages for an app client.
type Styles interface {
	PageStyle(ctx context.Context, poolID, clientID string) (branding.PageStyle, error)
}

// Cookie names: the hosted session and the CSRF cookie, as Cognito names
// its own.
const (
	sessionCookie = "cognito"
	csrfCookie    = "XSRF-TOKEN"
)

type handler struct {
	Options
	pages pages
}

// New returns the handler of the managed login pages. The server routes
// GET /oauth2/authorize, GET and POST /login, GET /logout and GET
// /oauth2/idpresponse to it, at the root and under /{pool}.
func New(o Options) (http.Handler, error) {
	ps, err := parsePages()
	if err != nil {
		return nil, err
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &handler{Options: o, pages: ps}, nil
}

// site is where a request stands: the pool and the path its pages live
// under ("" on the domain's host, "/<pool>" otherwise).
type site struct {
	poolID string
	base   string
	secure bool
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	pool := r.PathValue("pool")
	poolID, err := h.Domains.DomainPool(r.Context(), r.Host, pool)
	if err != nil {
		h.internal(w, err)
		return
	}
	if poolID == "" {
		h.pages.render(w, http.StatusNotFound, "error", view{Title: "Not found", Message: "No user pool domain is served at " + r.Host + r.URL.Path + "."})
		return
	}
	s := site{poolID: poolID, secure: r.TLS != nil}
	w = h.styled(w, r, poolID)
	if pool != "" {
		s.base = "/" + pool
	}
	path := strings.TrimPrefix(r.URL.Path, s.base)
	if page, ok := accountPath(path); ok {
		h.accountPage(w, r, s, page)
		return
	}
	switch path {
	case "/oauth2/authorize":
		h.authorize(w, r, s)
	case "/login":
		if r.Method == http.MethodPost {
			h.loginPost(w, r, s)
		} else {
			h.loginPage(w, r, s)
		}
	case "/logout":
		h.logout(w, r, s)
	case "/profile":
		h.profile(w, r, s)
	case login.IdpResponsePath:
		h.idpResponse(w, r, s)
	default:
		http.NotFound(w, r)
	}
}

func (h *handler) internal(w http.ResponseWriter, err error) {
	h.Logger.Error("hosted login", "error", err)
	h.pages.render(w, http.StatusInternalServerError, "error", view{Title: "Something went wrong", Message: "An internal error occurred. Try again later."})
}

// fail answers a failed authorize check: an error page for a bad client or
// redirect URI, a redirect to the client for the others.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ae *login.AuthorizeError
	if !errors.As(err, &ae) {
		h.internal(w, err)
		return
	}
	if ae.Redirect {
		http.Redirect(w, r, ae.URL(), http.StatusFound)
		return
	}
	// Unconfirmed: Cognito's status code for its error page.
	h.pages.render(w, http.StatusBadRequest, "error", view{Title: "An error was encountered with the requested page", Message: ae.Description, Code: ae.Code})
}

// params are the authorize parameters of a request, kept from page to
// page in the query string, and return_to=profile for a sign-in that goes
// back to the profile page.
func params(q url.Values) url.Values {
	out := url.Values{}
	for _, k := range login.Params {
		if q.Has(k) {
			out.Set(k, q.Get(k))
		}
	}
	if q.Get("return_to") == returnProfile {
		out.Set("return_to", returnProfile)
	}
	return out
}

func (h *handler) authorize(w http.ResponseWriter, r *http.Request, s site) {
	q := params(r.URL.Query())
	req, _, err := h.Login.Authorize(r.Context(), s.poolID, q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if req.Provider != "" {
		h.federate(w, r, s, req, q)
		return
	}
	if !req.PromptHas("login") {
		if hs := h.hostedSession(r, s); hs != nil {
			h.complete(w, r, s, req, hs)
			return
		}
	}
	if req.PromptHas("none") {
		// Unconfirmed: prompt=none without a session answers OIDC's
		// login_required.
		ae := &login.AuthorizeError{Redirect: true, Code: "login_required", RedirectURI: req.RedirectURI, State: req.State, Fragment: req.ResponseType == "token"}
		http.Redirect(w, r, ae.URL(), http.StatusFound)
		return
	}
	http.Redirect(w, r, s.base+"/login?"+q.Encode(), http.StatusFound)
}

func (h *handler) hostedSession(r *http.Request, s site) *login.Session {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	return h.Login.OpenHosted(r.Context(), c.Value, s.poolID)
}

// complete sends the browser to the client with a code or tokens.
func (h *handler) complete(w http.ResponseWriter, r *http.Request, s site, req *login.Request, hs *login.Session) {
	if q := r.URL.Query(); q.Get("return_to") == returnProfile {
		// A sign-in for the profile page goes back there.
		q = params(q)
		q.Del("return_to")
		http.Redirect(w, r, s.base+"/profile?"+q.Encode(), http.StatusFound)
		return
	}
	to, err := h.Login.Complete(r.Context(), req, hs)
	if err != nil {
		var ce *cognito.Error
		if errors.As(err, &ce) {
			// The user can no longer sign in: forget the session.
			h.setCookie(w, s, sessionCookie, "", -1)
			h.pages.render(w, http.StatusBadRequest, "error", view{Title: "Sign-in failed", Message: ce.Message})
			return
		}
		h.internal(w, err)
		return
	}
	http.Redirect(w, r, to, http.StatusFound)
}

func (h *handler) setCookie(w http.ResponseWriter, s site, name, value string, maxAge int) {
	h.setCookieAt(w, s, s.base+"/", name, value, maxAge)
}

// setCookieAt sets a cookie of the pages for path only.
func (h *handler) setCookieAt(w http.ResponseWriter, s site, path, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: path, MaxAge: maxAge, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
}

// csrf returns the form token for the request's CSRF cookie, setting a
// new cookie when there is none: the token is the cookie's value sealed
// with the server's key, so it can be neither forged nor moved to another
// browser's cookie.
func (h *handler) csrf(w http.ResponseWriter, r *http.Request, s site) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 {
		return h.Login.Sealer.Seal([]byte(c.Value), []byte("hosted-csrf"))
	}
	v, err := h.Login.RandomToken(32)
	if err != nil {
		return ""
	}
	h.setCookie(w, s, csrfCookie, v, 0)
	return h.Login.Sealer.Seal([]byte(v), []byte("hosted-csrf"))
}

// checkCSRF reports whether a form's token matches the request's cookie.
func (h *handler) checkCSRF(r *http.Request) bool {
	c, err := r.Cookie(csrfCookie)
	if err != nil {
		return false
	}
	got, err := h.Login.Sealer.Open(r.PostForm.Get("_csrf"), []byte("hosted-csrf"))
	return err == nil && subtle.ConstantTimeCompare(got, []byte(c.Value)) == 1
}

func (h *handler) logout(w http.ResponseWriter, r *http.Request, s site) {
	to, again, err := h.Login.Logout(r.Context(), s.poolID, r.URL.Query())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.setCookie(w, s, sessionCookie, "", -1)
	h.setCookieAt(w, s, s.base+profilePath, profileCookie, "", -1)
	if again != nil {
		to = s.base + "/login?" + again.Encode()
	}
	http.Redirect(w, r, to, http.StatusFound)
}
