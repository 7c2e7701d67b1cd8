package hosted

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/userpool/login"
)

// maxLoginForm bounds the body of a login form.
const maxLoginForm = 64 << 10

// codeField names, for each code challenge, the answer that carries it.
var codeField = map[string]string{
	"SMS_MFA":            "SMS_MFA_CODE",
	"EMAIL_OTP":          "EMAIL_OTP_CODE",
	"SOFTWARE_TOKEN_MFA": "SOFTWARE_TOKEN_MFA_CODE",
}

var factorLabel = map[string]string{
	"SMS_MFA":            "Text message (SMS)",
	"EMAIL_OTP":          "Email",
	"SOFTWARE_TOKEN_MFA": "Authenticator app",
}

// loginPage shows the sign-in form for an authorize request.
func (h *handler) loginPage(w http.ResponseWriter, r *http.Request, s site) {
	q := params(r.URL.Query())
	req, c, err := h.Login.Authorize(r.Context(), s.poolID, q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := view{Title: "Sign in", Action: s.base + "/login?" + q.Encode(), CSRF: h.csrf(w, r, s), Form: h.loginLinks(r, s, q),
		Username: req.LoginHint}
	v.Providers, v.NoPassword = providerButtons(s, q, c), !login.PasswordAllowed(c)
	h.pages.render(w, http.StatusOK, "login", v)
}

// loginPost handles the sign-in form and the challenge forms after it.
func (h *handler) loginPost(w http.ResponseWriter, r *http.Request, s site) {
	r.Body = http.MaxBytesReader(w, r.Body, maxLoginForm)
	if err := r.ParseForm(); err != nil {
		h.pages.render(w, http.StatusBadRequest, "error", view{Title: "Bad request", Message: "The form could not be read."})
		return
	}
	q := params(r.URL.Query())
	req, _, err := h.Login.Authorize(r.Context(), s.poolID, q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := view{Action: s.base + "/login?" + q.Encode(), Form: h.loginLinks(r, s, q)}
	if !h.checkCSRF(r) {
		// Unconfirmed: Cognito's answer to a form without its CSRF token.
		v.Title, v.CSRF, v.Error = "Sign in", h.csrf(w, r, s), "Your sign-in form expired. Please try again."
		h.pages.render(w, http.StatusForbidden, "login", v)
		return
	}
	v.CSRF = r.PostForm.Get("_csrf")
	f := r.PostForm
	var step *login.Step
	if f.Get("step") == "respond" && f.Get("challenge") == "MFA_SETUP" {
		h.mfaSetupPost(w, r, s, req, v)
		return
	}
	if f.Get("step") == "respond" {
		challenge := f.Get("challenge")
		answers, ok := challengeAnswers(challenge, f)
		if !ok {
			h.pages.render(w, http.StatusBadRequest, "error", view{Title: "Bad request", Message: "Unknown sign-in step."})
			return
		}
		step, err = h.Login.Respond(r.Context(), req, challenge, f.Get("session"), answers)
		if err != nil {
			if msg, ok := userMessage(err); ok {
				if cognito.IsCode(err, cognito.NotAuthorized) && strings.Contains(msg, "session") {
					// The challenge is spent: start over.
					v.Title, v.Error = "Sign in", msg
					h.pages.render(w, http.StatusOK, "login", v)
					return
				}
				v.Error = msg
				h.challengePage(w, v, &login.Step{Challenge: challenge, AuthSession: f.Get("session"), Params: map[string]string{}})
				return
			}
			h.internal(w, err)
			return
		}
	} else {
		v.Username = f.Get("username")
		step, err = h.Login.SignIn(r.Context(), req, v.Username, f.Get("password"))
		if h.confirmAfterSignIn(w, r, s, req, err) {
			return
		}
		if err != nil {
			if msg, ok := userMessage(err); ok {
				v.Title, v.Error = "Sign in", msg
				h.pages.render(w, http.StatusOK, "login", v)
				return
			}
			h.internal(w, err)
			return
		}
	}
	h.next(w, r, s, req, v, step)
}

// userMessage is the message a sign-in error shows on the page: a
// Cognito error's own (wrong password, wrong code, locked out), as the
// hosted pages show them.
func userMessage(err error) (string, bool) {
	var ce *cognito.Error
	if errors.As(err, &ce) {
		return ce.Message, true
	}
	return "", false
}

// challengeAnswers reads a challenge form into challenge responses.
func challengeAnswers(challenge string, f map[string][]string) (map[string]string, bool) {
	get := func(k string) string {
		if v := f[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	if field, ok := codeField[challenge]; ok {
		return map[string]string{field: get("code")}, true
	}
	switch challenge {
	case "SELECT_MFA_TYPE":
		return map[string]string{"ANSWER": get("answer")}, true
	case "NEW_PASSWORD_REQUIRED":
		out := map[string]string{"NEW_PASSWORD": get("new_password")}
		for k, v := range f {
			if name, ok := strings.CutPrefix(k, "attr:"); ok && len(v) > 0 {
				out["userAttributes."+name] = v[0]
			}
		}
		return out, true
	}
	return nil, false
}

// challengePage shows the page of a sign-in challenge.
func (h *handler) challengePage(w http.ResponseWriter, v view, st *login.Step) {
	v.Challenge, v.Session = st.Challenge, st.AuthSession
	switch {
	case codeField[st.Challenge] != "":
		v.Title = "Verify your sign-in"
		v.Destination = st.Params["CODE_DELIVERY_DESTINATION"]
		h.pages.render(w, http.StatusOK, "mfa", v)
	case st.Challenge == "SELECT_MFA_TYPE":
		v.Title = "Choose a verification method"
		var names []string
		_ = json.Unmarshal([]byte(st.Params["MFAS_CAN_CHOOSE"]), &names)
		if len(names) == 0 {
			names = []string{"SOFTWARE_TOKEN_MFA", "SMS_MFA", "EMAIL_OTP"}
		}
		for _, n := range names {
			v.Choices = append(v.Choices, choice{Value: n, Label: factorLabel[n]})
		}
		h.pages.render(w, http.StatusOK, "select", v)
	case st.Challenge == "NEW_PASSWORD_REQUIRED":
		v.Title = "Change your password"
		var req []string
		_ = json.Unmarshal([]byte(st.Params["requiredAttributes"]), &req)
		for _, a := range req {
			v.Required = append(v.Required, strings.TrimPrefix(a, "userAttributes."))
		}
		h.pages.render(w, http.StatusOK, "newpassword", v)
	default:
		// Steps the hosted pages do not offer (MFA_SETUP is next's).
		h.pages.render(w, http.StatusNotImplemented, "error", view{Title: "Sign-in step not supported",
			Message: "Cognate's hosted pages do not support the " + st.Challenge + " step; set up MFA through the API first."})
	}
}
