package hosted

import (
	"encoding/json"
	"html/template"
	"net/http"
	"slices"
	"strings"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/userpool/login"
)

// mfaSetupPage starts MFA_SETUP: an authenticator is associated with the
// challenge session and its key shown, as text, as an otpauth link and
// as a QR code.
func (h *handler) mfaSetupPage(w http.ResponseWriter, r *http.Request, s site, req *login.Request, v view, step *login.Step) {
	var can []string
	_ = json.Unmarshal([]byte(step.Params["MFAS_CAN_SETUP"]), &can)
	if len(can) > 0 && !slices.Contains(can, "SOFTWARE_TOKEN_MFA") {
		// Unconfirmed: Cognate's sign-in offers MFA_SETUP only for an
		// authenticator app; any other factor is set up through the API.
		h.pages.render(w, http.StatusBadRequest, "error", view{Title: "Set up multi-factor authentication",
			Message: "Your account needs multi-factor authentication, which these pages can set up only with an authenticator app. Ask your administrator to set it up."})
		return
	}
	setup, err := h.Login.SetUpTOTP(r.Context(), req, step.AuthSession)
	if err != nil {
		if msg, ok := userMessage(err); ok {
			v.Title, v.Error, v.Form = "Sign in", msg, h.loginLinks(r, s, params(r.URL.Query()))
			h.pages.render(w, http.StatusOK, "login", v)
			return
		}
		h.internal(w, err)
		return
	}
	h.renderSetup(w, v, setup, "")
}

func (h *handler) renderSetup(w http.ResponseWriter, v view, setup *login.TOTPSetup, msg string) {
	v.Title, v.Error = "Set up an authenticator app", msg
	v.Challenge = "MFA_SETUP"
	f := &form{Setup: h.Login.SealSetup(setup), SecretGroups: groups(setup.Secret, 4),
		// The URI is built from the pool's name and user's name, escaped
		// by url.URL; html/template would otherwise refuse its scheme.
		URI: template.URL(setup.URI())}
	if qr, err := qrSVG(setup.URI()); err == nil {
		f.QR = qr
	}
	v.Form = f
	h.pages.render(w, http.StatusOK, "mfasetup", v)
}

// groups splits s into groups of n characters, for reading out.
func groups(s string, n int) []string {
	var out []string
	for len(s) > n {
		out = append(out, s[:n])
		s = s[n:]
	}
	return append(out, s)
}

// mfaSetupPost checks the first code of the new authenticator and
// finishes the sign-in.
func (h *handler) mfaSetupPost(w http.ResponseWriter, r *http.Request, s site, req *login.Request, v view) {
	setup := h.Login.OpenSetup(r.PostForm.Get("setup"))
	if setup == nil {
		h.pages.render(w, http.StatusBadRequest, "error", view{Title: "Bad request", Message: "Unknown sign-in step."})
		return
	}
	step, err := h.Login.VerifyTOTP(r.Context(), req, setup, strings.TrimSpace(r.PostForm.Get("code")))
	if err != nil {
		msg, ok := userMessage(err)
		switch {
		case !ok:
			h.internal(w, err)
		case cognito.IsCode(err, cognito.NotAuthorized) && strings.Contains(msg, "session"):
			// The setup took longer than the session lasts: start over.
			v.Title, v.Error, v.Form = "Sign in", msg, h.loginLinks(r, s, params(r.URL.Query()))
			h.pages.render(w, http.StatusOK, "login", v)
		default:
			h.renderSetup(w, v, setup, msg)
		}
		return
	}
	h.next(w, r, s, req, v, step)
}
