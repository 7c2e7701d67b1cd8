package hosted

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/login"
)

// providerButtons are the login page's buttons for the identity
// providers client c supports: each is the authorize request again,
// naming the provider.
func providerButtons(s site, q url.Values, c *core.Client) []idpButton {
	var out []idpButton
	for _, name := range login.Providers(c) {
		bq := url.Values{}
		for k, v := range q {
			bq[k] = v
		}
		bq.Del("idp_identifier")
		bq.Set("identity_provider", name)
		out = append(out, idpButton{Name: name, URL: s.base + "/oauth2/authorize?" + bq.Encode()})
	}
	return out
}

// callbackURL is this domain's idpresponse URL, as upstream providers
// must have it among their client's callback URLs: the host the browser
// reached, with the scheme of the server's public URL.
func (h *handler) callbackURL(r *http.Request, s site) string {
	scheme := "https"
	if strings.HasPrefix(h.Login.PublicURL, "http://") {
		scheme = "http"
	}
	return scheme + "://" + r.Host + s.base + login.IdpResponsePath
}

// fedCookie binds a sign-in through a provider to the browser that
// started it. Unconfirmed: Cognito's name for such a cookie.
const fedCookie = "cognito-fed"

// federate sends the browser to sign in at the authorize request's
// identity provider.
func (h *handler) federate(w http.ResponseWriter, r *http.Request, s site, req *login.Request, q url.Values) {
	browser := ""
	if c, err := r.Cookie(fedCookie); err == nil && len(c.Value) >= 32 {
		browser = c.Value
	} else if browser, err = h.Login.RandomToken(32); err != nil {
		h.internal(w, err)
		return
	}
	to, err := h.Login.Federate(r.Context(), req, q, h.callbackURL(r, s), browser)
	if err != nil {
		var ce *cognito.Error
		if errors.As(err, &ce) {
			// A provider type Cognate does not federate.
			h.pages.render(w, http.StatusBadRequest, "error", view{Title: "Sign-in option not supported", Message: ce.Message, Code: "unsupported_identity_provider"})
			return
		}
		h.fail(w, r, err)
		return
	}
	// Lax: the provider sends the browser back with a top-level GET.
	h.setCookie(w, s, fedCookie, browser, login.StateTTL)
	http.Redirect(w, r, to, http.StatusFound)
}

// idpResponse serves GET /oauth2/idpresponse, where upstream providers
// send the browser back: it signs the user in, starts the hosted session
// and sends the browser on to the client.
func (h *handler) idpResponse(w http.ResponseWriter, r *http.Request, s site) {
	if r.Method == http.MethodPost {
		h.idpFormPost(w, r, s)
		return
	}
	browser := ""
	if c, err := r.Cookie(fedCookie); err == nil {
		browser = c.Value
	}
	req, started, hs, err := h.Login.IdpResponse(r.Context(), s.poolID, r.URL.Query(), browser)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.setCookie(w, s, sessionCookie, h.Login.SealHosted(hs), login.SessionTTL)
	// The sign-in ends as if it had happened on the page it was started
	// from (a sign-in for the profile page goes back there).
	r = r.Clone(r.Context())
	r.URL.RawQuery = started.Encode()
	h.complete(w, r, s, req, hs)
}

// idpFormPost serves POST /oauth2/idpresponse, a provider's answer sent
// with response_mode=form_post (Sign in with Apple). A cross-site POST
// carries no SameSite=Lax cookie, so the federation cookie that binds the
// sign-in to the browser would be missing; the answer's fields go back to
// GET /oauth2/idpresponse with a 303, a top-level GET navigation that
// carries it.
func (h *handler) idpFormPost(w http.ResponseWriter, r *http.Request, s site) {
	r.Body = http.MaxBytesReader(w, r.Body, maxLoginForm)
	if err := r.ParseForm(); err != nil {
		h.pages.render(w, http.StatusBadRequest, "error", view{Title: "Bad request", Message: "The identity provider's answer could not be read."})
		return
	}
	q := url.Values{}
	for _, k := range []string{"code", "state", "error", "error_description", "user"} {
		if v := r.PostForm.Get(k); v != "" {
			q.Set(k, v)
		}
	}
	http.Redirect(w, r, s.base+login.IdpResponsePath+"?"+q.Encode(), http.StatusSeeOther)
}
