package hosted

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/cognate-idp/cognate/internal/userpool/login"
)

// The account pages, at Cognito's hosted UI paths. /confirmforgotPassword
// is how the managed login endpoint table spells the reset page; both
// spellings are served.
const (
	signUpPath        = "/signup"
	confirmPath       = "/confirm"
	resendPath        = "/resendcode"
	forgotPath        = "/forgotPassword"
	confirmForgotPath = "/confirmForgotPassword"
)

// accountPath reports whether path (under the site's base) is one of the
// account pages, with its canonical name.
func accountPath(path string) (string, bool) {
	switch path {
	case signUpPath, confirmPath, resendPath, forgotPath, confirmForgotPath:
		return path, true
	case "/confirmforgotPassword":
		return confirmForgotPath, true
	}
	return "", false
}

// form is what the account pages show beyond the common view fields.
type form struct {
	// Links of the login page, and the way back to it.
	SignUpURL, ForgotURL, LoginURL string
	Notice                         string
	User                           input   // the sign-in name
	Fields                         []input // the pool's required attributes
	Rules                          []login.Rule
	KnownUser                      bool // the username travels hidden
	Ticket                         string
	ResendAction                   string
	// The authenticator setup (MFA_SETUP).
	Setup        string
	SecretGroups []string
	URI          template.URL
	QR           template.HTML
}

// input is a form field with the value to show again.
type input struct {
	login.Field
	ID, Value string
}

// notices are the messages the login page shows after an account page
// sent the user there; the query names one, so no text travels in URLs.
// Unconfirmed: the hosted UI's wording of these messages.
var notices = map[string]string{
	"confirmed": "Your account is confirmed. Sign in to continue.",
	"reset":     "Your password has been reset. Sign in with your new password.",
}

// pageURL is the URL of the page at path for the authorize parameters q,
// with extra parameters (name, value pairs).
func pageURL(s site, path string, q url.Values, extra ...string) string {
	v := url.Values{}
	for k, vs := range q {
		v[k] = vs
	}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return s.base + path + "?" + v.Encode()
}

// loginLinks are the login page's links to the account pages, and the
// notice its query names.
func (h *handler) loginLinks(r *http.Request, s site, q url.Values) *form {
	f := &form{ForgotURL: pageURL(s, forgotPath, q), Notice: notices[r.URL.Query().Get("notice")]}
	if h.Login.SignUpAllowed(r.Context(), s.poolID) {
		f.SignUpURL = pageURL(s, signUpPath, q)
	}
	return f
}

// account is one request to an account page.
type account struct {
	*handler
	w   http.ResponseWriter
	r   *http.Request
	s   site
	q   url.Values
	req *login.Request
}

// accountPage serves the account pages: GET shows a form, POST handles
// it, each POST with the login form's CSRF check.
func (h *handler) accountPage(w http.ResponseWriter, r *http.Request, s site, path string) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		h.pages.render(w, http.StatusMethodNotAllowed, "error", view{Title: "Bad request", Message: "Method not allowed."})
		return
	}
	q := params(r.URL.Query())
	req, c, err := h.Login.Authorize(r.Context(), s.poolID, q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !login.PasswordAllowed(c) {
		// Unconfirmed: the page for a client that signs in through
		// identity providers only, whose users have no password here.
		h.pages.render(w, http.StatusBadRequest, "error", view{Title: "Not available", Message: "This app signs in through an identity provider only."})
		return
	}
	a := &account{handler: h, w: w, r: r, s: s, q: q, req: req}
	if r.Method == http.MethodGet {
		a.show(path)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxLoginForm)
	if err := r.ParseForm(); err != nil {
		h.pages.render(w, http.StatusBadRequest, "error", view{Title: "Bad request", Message: "The form could not be read."})
		return
	}
	if !h.checkCSRF(r) {
		// Unconfirmed: Cognito's answer to a form without its CSRF token.
		a.render(http.StatusForbidden, path, "Your form expired. Please try again.")
		return
	}
	switch path {
	case signUpPath:
		a.signUp()
	case confirmPath:
		a.confirm()
	case resendPath:
		a.resend()
	case forgotPath:
		a.forgot()
	case confirmForgotPath:
		a.confirmForgot()
	}
}

// show answers GET on an account page.
func (a *account) show(path string) {
	if path == resendPath {
		// Codes are sent only by a form, never by a link.
		http.Redirect(a.w, a.r, pageURL(a.s, confirmPath, a.q, "username", a.r.URL.Query().Get("username")), http.StatusFound)
		return
	}
	a.render(http.StatusOK, path, "")
}

// render shows the form of page path with an error message; the values
// entered come from the posted form, the username also from the query.
func (a *account) render(status int, path, msg string) {
	f := a.r.PostForm
	username := strings.TrimSpace(f.Get("username"))
	if username == "" {
		username = a.r.URL.Query().Get("username")
	}
	v := view{Error: msg, CSRF: a.csrf(a.w, a.r, a.s), Username: username,
		Form: &form{LoginURL: pageURL(a.s, "/login", a.q), KnownUser: username != "" && path != forgotPath && path != signUpPath}}
	ctx := a.r.Context()
	switch path {
	case signUpPath:
		sf, err := a.Login.SignUpForm(ctx, a.req, f.Get("password"))
		if err != nil {
			a.fail(err)
			return
		}
		v.Title, v.Action = "Sign up", pageURL(a.s, signUpPath, a.q)
		v.Form.User = input{Field: sf.Username, ID: "username", Value: username}
		for _, fl := range sf.Attributes {
			v.Form.Fields = append(v.Form.Fields, input{Field: fl, ID: "attr-" + strings.ReplaceAll(strings.TrimPrefix(fl.Name, "attr:"), ":", "-"), Value: f.Get(fl.Name)})
		}
		v.Form.Rules = sf.Rules
	case confirmPath, resendPath:
		v.Title, v.Action = "Confirm your account", pageURL(a.s, confirmPath, a.q)
		v.Form.Ticket, v.Form.ResendAction = f.Get("ticket"), pageURL(a.s, resendPath, a.q)
		v.Form.User = input{Field: a.Login.UsernameField(ctx, a.s.poolID), ID: "username", Value: username}
		path = confirmPath
	case forgotPath:
		v.Title, v.Action = "Forgot your password?", pageURL(a.s, forgotPath, a.q)
		v.Form.User = input{Field: a.Login.UsernameField(ctx, a.s.poolID), ID: "username", Value: username}
	case confirmForgotPath:
		v.Title, v.Action = "Reset your password", pageURL(a.s, confirmForgotPath, a.q)
		v.Form.User = input{Field: a.Login.UsernameField(ctx, a.s.poolID), ID: "username", Value: username}
		v.Form.Rules = a.Login.PasswordRulesFor(ctx, a.req, f.Get("password"))
	}
	a.pages.render(a.w, status, strings.ToLower(strings.TrimPrefix(path, "/")), v)
}

// fail shows an error that is not the form's: a page that is not offered
// (sign-up where only administrators create users) or an internal error.
func (a *account) fail(err error) {
	if msg, ok := userMessage(err); ok {
		// Unconfirmed: Cognito's status and page for sign-up in a pool
		// that allows only administrators to create users.
		a.pages.render(a.w, http.StatusBadRequest, "error", view{Title: "An error was encountered with the requested page", Message: msg})
		return
	}
	a.internal(a.w, err)
}

// formError shows page path again with a Cognito error's message, or
// answers an internal error.
func (a *account) formError(path string, err error) {
	if msg, ok := userMessage(err); ok {
		a.render(http.StatusOK, path, msg)
		return
	}
	a.internal(a.w, err)
}

// attributes are the attr:<name> fields of a posted form.
func attributes(f url.Values) map[string]string {
	out := map[string]string{}
	for k, v := range f {
		if name, ok := strings.CutPrefix(k, "attr:"); ok && len(v) > 0 {
			out[name] = strings.TrimSpace(v[0])
		}
	}
	return out
}

func (a *account) signUp() {
	f := a.r.PostForm
	username := strings.TrimSpace(f.Get("username"))
	res, err := a.Login.SignUp(a.r.Context(), a.req, username, f.Get("password"), attributes(f))
	var after *login.SignInAfterConfirm
	if errors.As(err, &after) {
		a.signInFailed(username, after)
		return
	}
	if err != nil {
		if !a.Login.SignUpAllowed(a.r.Context(), a.s.poolID) {
			a.fail(err)
			return
		}
		a.formError(signUpPath, err)
		return
	}
	if res.Step != nil {
		a.next(a.w, a.r, a.s, a.req, view{Action: a.s.base + "/login?" + a.q.Encode(), CSRF: f.Get("_csrf")}, res.Step)
		return
	}
	a.confirmPage(http.StatusOK, res.Username, res.Destination, res.Ticket, "", "")
}

// confirmPage shows the confirmation form for username.
func (a *account) confirmPage(status int, username, destination, ticket, notice, msg string) {
	v := view{Title: "Confirm your account", Action: pageURL(a.s, confirmPath, a.q), CSRF: a.csrf(a.w, a.r, a.s), Username: username,
		Destination: destination, Error: msg,
		Form: &form{KnownUser: username != "", Ticket: ticket, ResendAction: pageURL(a.s, resendPath, a.q), Notice: notice,
			LoginURL: pageURL(a.s, "/login", a.q), User: input{Field: a.Login.UsernameField(a.r.Context(), a.s.poolID), ID: "username", Value: username}}}
	a.pages.render(a.w, status, "confirm", v)
}

func (a *account) confirm() {
	f := a.r.PostForm
	username := strings.TrimSpace(f.Get("username"))
	step, err := a.Login.ConfirmSignUp(a.r.Context(), a.req, username, strings.TrimSpace(f.Get("code")), f.Get("ticket"))
	var after *login.SignInAfterConfirm
	switch {
	case errors.As(err, &after):
		a.signInFailed(username, after)
	case err != nil:
		if msg, ok := userMessage(err); ok {
			a.confirmPage(http.StatusOK, username, "", f.Get("ticket"), "", msg)
			return
		}
		a.internal(a.w, err)
	case step == nil:
		http.Redirect(a.w, a.r, pageURL(a.s, "/login", a.q, "notice", "confirmed"), http.StatusSeeOther)
	default:
		a.next(a.w, a.r, a.s, a.req, view{Action: a.s.base + "/login?" + a.q.Encode(), CSRF: f.Get("_csrf"), Username: username}, step)
	}
}

// signInFailed shows the login page with the error of the sign-in that
// followed a confirmation: the account is confirmed, the user signs in.
func (a *account) signInFailed(username string, after *login.SignInAfterConfirm) {
	v := view{Title: "Sign in", Action: a.s.base + "/login?" + a.q.Encode(), CSRF: a.r.PostForm.Get("_csrf"), Username: username, Error: after.Err.Message,
		Form: a.loginLinks(a.r, a.s, a.q)}
	a.pages.render(a.w, http.StatusOK, "login", v)
}

func (a *account) resend() {
	f := a.r.PostForm
	username := strings.TrimSpace(f.Get("username"))
	dest, err := a.Login.ResendCode(a.r.Context(), a.req, username)
	if err != nil {
		if msg, ok := userMessage(err); ok {
			a.confirmPage(http.StatusOK, username, "", f.Get("ticket"), "", msg)
			return
		}
		a.internal(a.w, err)
		return
	}
	a.confirmPage(http.StatusOK, username, dest, f.Get("ticket"), "We sent you a new code.", "")
}

func (a *account) forgot() {
	username := strings.TrimSpace(a.r.PostForm.Get("username"))
	dest, err := a.Login.ForgotPassword(a.r.Context(), a.req, username)
	if err != nil {
		a.formError(forgotPath, err)
		return
	}
	v := view{Title: "Reset your password", Action: pageURL(a.s, confirmForgotPath, a.q), CSRF: a.csrf(a.w, a.r, a.s), Username: username, Destination: dest,
		Form: &form{KnownUser: true, LoginURL: pageURL(a.s, "/login", a.q), Rules: a.Login.PasswordRulesFor(a.r.Context(), a.req, ""),
			User: input{Field: a.Login.UsernameField(a.r.Context(), a.s.poolID), ID: "username", Value: username}}}
	a.pages.render(a.w, http.StatusOK, "confirmforgotpassword", v)
}

func (a *account) confirmForgot() {
	f := a.r.PostForm
	if f.Get("password") != f.Get("password2") {
		// Unconfirmed: the hosted UI checks this in the browser.
		a.render(http.StatusOK, confirmForgotPath, "Passwords do not match.")
		return
	}
	err := a.Login.ConfirmForgotPassword(a.r.Context(), a.req, strings.TrimSpace(f.Get("username")), strings.TrimSpace(f.Get("code")), f.Get("password"))
	if err != nil {
		a.formError(confirmForgotPath, err)
		return
	}
	http.Redirect(a.w, a.r, pageURL(a.s, "/login", a.q, "notice", "reset"), http.StatusSeeOther)
}

// confirmAfterSignIn shows the confirmation page when a sign-in found
// the account not confirmed, as the hosted UI does; false for any other
// error.
func (h *handler) confirmAfterSignIn(w http.ResponseWriter, r *http.Request, s site, req *login.Request, err error) bool {
	var nc *login.NotConfirmed
	if !errors.As(err, &nc) {
		return false
	}
	// Unconfirmed: whether the hosted UI sends a new code here; Cognate
	// does not, and the page offers to.
	a := &account{handler: h, w: w, r: r, s: s, q: params(r.URL.Query()), req: req}
	a.confirmPage(http.StatusOK, nc.Username, "", nc.Ticket, "Your account is not confirmed yet.", "")
	return true
}

// next shows where a sign-in stands: done (the session cookie, then the
// client), an authenticator to set up, or another challenge's page.
func (h *handler) next(w http.ResponseWriter, r *http.Request, s site, req *login.Request, v view, step *login.Step) {
	switch {
	case step.Session != nil:
		h.setCookie(w, s, sessionCookie, h.Login.SealHosted(step.Session), login.SessionTTL)
		h.complete(w, r, s, req, step.Session)
	case step.Challenge == "MFA_SETUP":
		h.mfaSetupPage(w, r, s, req, v, step)
	default:
		h.challengePage(w, v, step)
	}
}
