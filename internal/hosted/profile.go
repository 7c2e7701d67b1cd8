package hosted

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/userpool/login"
)

// Users are the operations the profile page acts through: the same ones
// the API serves, with the page's access token, so a change from the page
// is checked, held for verification and delivered exactly as one from an
// app.
type Users interface {
	GetUser(context.Context, *model.GetUserRequest) (*model.GetUserResponse, error)
	UpdateUserAttributes(context.Context, *model.UpdateUserAttributesRequest) (*model.UpdateUserAttributesResponse, error)
	VerifyUserAttribute(context.Context, *model.VerifyUserAttributeRequest) (*model.VerifyUserAttributeResponse, error)
	GetUserAttributeVerificationCode(context.Context, *model.GetUserAttributeVerificationCodeRequest) (*model.GetUserAttributeVerificationCodeResponse, error)
	// AdminPendingAttributes returns the values waiting for verification,
	// which no user operation shows.
	AdminPendingAttributes(ctx context.Context, poolID, username string) (map[string]string, error)
}

// returnProfile is the value of the return_to parameter that sends a
// sign-in back to the profile page instead of the client.
const returnProfile = "profile"

// profileCookie keeps the page's access token, sealed, for the profile
// path (profilePath under the site's base) only.
const (
	profileCookie = "cognito-profile"
	profilePath   = "/profile"
)

// profileToken is the profile cookie's content: the token, the session
// it was issued for (its user's sub and auth time) and when it expires.
type profileToken struct {
	Token    string `json:"t"`
	Sub      string `json:"s"`
	AuthTime int64  `json:"a"`
	Exp      int64  `json:"e"`
}

// field is one attribute row of the profile page.
type field struct {
	Name, Value, Pending string
	// Verifiable attributes (email, phone number) show whether they are
	// verified and take a code.
	Verifiable, Verified bool
}

// profileView is what the profile page shows.
type profileView struct {
	Username string
	Fields   []field
	Notices  []string
	Logout   string
}

// profile serves GET and POST /profile: the signed-in user's attributes,
// a form that changes them with UpdateUserAttributes (a blank value
// deletes one), and for a changed email or phone number the code form of
// VerifyUserAttribute. Without a hosted session it sends the browser to
// sign in and back.
func (h *handler) profile(w http.ResponseWriter, r *http.Request, s site) {
	if h.Users == nil {
		http.NotFound(w, r)
		return
	}
	q := params(r.URL.Query())
	req, _, err := h.Login.Authorize(r.Context(), s.poolID, q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hs := h.hostedSession(r, s)
	if hs == nil {
		q.Set("return_to", returnProfile)
		http.Redirect(w, r, s.base+"/login?"+q.Encode(), http.StatusFound)
		return
	}
	names, err := h.Login.Profile(r.Context(), req, hs)
	if err != nil {
		h.profileError(w, r, err)
		return
	}
	token, err := h.profileToken(w, r, s, req, hs)
	if err != nil {
		h.profileError(w, r, err)
		return
	}
	v := view{Title: "Your profile", Action: s.base + "/profile?" + q.Encode(), Profile: &profileView{}}
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxLoginForm)
		if err := r.ParseForm(); err != nil || !h.checkCSRF(r) {
			// Unconfirmed: the page's answer to a form without its token.
			v.Error = "Your form expired. Please try again."
		} else {
			v.Profile.Notices, v.Error = h.profileAction(r.Context(), token, names, r.PostForm)
		}
	}
	v.CSRF = h.csrf(w, r, s)
	if err := h.fillProfile(r.Context(), s, token, names, v.Profile); err != nil {
		h.profileError(w, r, err)
		return
	}
	logout := url.Values{"client_id": {req.ClientID}, "redirect_uri": {req.RedirectURI}, "response_type": {req.ResponseType}}
	v.Profile.Logout = s.base + "/logout?" + logout.Encode()
	h.pages.render(w, http.StatusOK, "profile", v)
}

// profileError shows a failure of the profile page: an authorize-style
// error page, or the user's own error (disabled, signed out everywhere).
func (h *handler) profileError(w http.ResponseWriter, r *http.Request, err error) {
	if msg, ok := userMessage(err); ok {
		h.pages.render(w, http.StatusBadRequest, "error", view{Title: "Profile unavailable", Message: msg})
		return
	}
	h.fail(w, r, err)
}

// profileToken returns the access token the page acts with: the one in
// its cookie while it belongs to this very session (its user, signed in
// at the same time) and is valid for another minute, else a new one,
// which it keeps in the cookie. A sign-in after a global sign-out is a
// new session, so the page never acts with a token revoked by it.
func (h *handler) profileToken(w http.ResponseWriter, r *http.Request, s site, req *login.Request, hs *login.Session) (string, error) {
	now := h.Login.Now().Unix()
	if c, err := r.Cookie(profileCookie); err == nil {
		if raw, err := h.Login.Sealer.Open(c.Value, []byte(profileCookie+"\x00"+req.ClientID)); err == nil {
			var pt profileToken
			if json.Unmarshal(raw, &pt) == nil && pt.Sub == hs.Sub && pt.AuthTime == hs.AuthTime && now < pt.Exp-60 {
				return pt.Token, nil
			}
		}
	}
	pa, err := h.Login.ProfileToken(r.Context(), req, hs)
	if err != nil {
		return "", err
	}
	buf, _ := json.Marshal(profileToken{Token: pa.Token, Sub: hs.Sub, AuthTime: hs.AuthTime, Exp: pa.Exp})
	sealed := h.Login.Sealer.Seal(buf, []byte(profileCookie+"\x00"+req.ClientID))
	h.setCookieAt(w, s, s.base+profilePath, profileCookie, sealed, int(pa.Exp-now))
	return pa.Token, nil
}

// profileAction runs the form's action and returns the notices to show,
// or the Cognito error's message.
func (h *handler) profileAction(ctx context.Context, token string, names []string, f url.Values) ([]string, string) {
	attr := f.Get("attribute")
	switch f.Get("action") {
	case "update":
		cur, err := h.Users.GetUser(ctx, &model.GetUserRequest{AccessToken: model.String(token)})
		if err != nil {
			return nil, errorText(err)
		}
		have := map[string]string{}
		for _, a := range cur.UserAttributes {
			have[model.StringValue(a.Name)] = model.StringValue(a.Value)
		}
		var changes []model.AttributeType
		for _, n := range names {
			if !f.Has("attr:" + n) {
				continue
			}
			if v := strings.TrimSpace(f.Get("attr:" + n)); v != have[n] {
				changes = append(changes, model.AttributeType{Name: model.String(n), Value: model.String(v)})
			}
		}
		if len(changes) == 0 {
			return []string{"Nothing changed."}, ""
		}
		out, err := h.Users.UpdateUserAttributes(ctx, &model.UpdateUserAttributesRequest{AccessToken: model.String(token), UserAttributes: changes})
		if err != nil {
			return nil, errorText(err)
		}
		notes := []string{"Your profile is saved."}
		for _, d := range out.CodeDeliveryDetailsList {
			notes = append(notes, "We sent a code to "+model.StringValue(d.Destination)+" to verify your "+label(model.StringValue(d.AttributeName))+".")
		}
		return notes, ""
	case "verify":
		_, err := h.Users.VerifyUserAttribute(ctx, &model.VerifyUserAttributeRequest{AccessToken: model.String(token),
			AttributeName: model.String(attr), Code: model.String(strings.TrimSpace(f.Get("code")))})
		if err != nil {
			return nil, errorText(err)
		}
		return []string{"Your " + label(attr) + " is verified."}, ""
	case "resend":
		out, err := h.Users.GetUserAttributeVerificationCode(ctx, &model.GetUserAttributeVerificationCodeRequest{AccessToken: model.String(token),
			AttributeName: model.String(attr)})
		if err != nil {
			return nil, errorText(err)
		}
		return []string{"We sent a new code to " + model.StringValue(out.CodeDeliveryDetails.Destination) + "."}, ""
	}
	return nil, "Unknown action."
}

// errorText is the message of a Cognito error, and a general one for any
// other failure (which is not the user's to read).
func errorText(err error) string {
	if msg, ok := userMessage(err); ok {
		return msg
	}
	return "Something went wrong. Try again later."
}

func label(attr string) string {
	return strings.ReplaceAll(attr, "_", " ")
}

// fillProfile reads the user's attributes and pending changes into pv.
func (h *handler) fillProfile(ctx context.Context, s site, token string, names []string, pv *profileView) error {
	cur, err := h.Users.GetUser(ctx, &model.GetUserRequest{AccessToken: model.String(token)})
	if err != nil {
		return err
	}
	pv.Username = model.StringValue(cur.Username)
	have := map[string]string{}
	for _, a := range cur.UserAttributes {
		have[model.StringValue(a.Name)] = model.StringValue(a.Value)
	}
	pending, err := h.Users.AdminPendingAttributes(ctx, s.poolID, pv.Username)
	if err != nil {
		return err
	}
	for _, n := range names {
		f := field{Name: n, Value: have[n], Pending: pending[n]}
		if n == "email" || n == "phone_number" {
			f.Verifiable, f.Verified = true, have[n+"_verified"] == "true"
		}
		pv.Fields = append(pv.Fields, f)
	}
	return nil
}
