package login

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/federation"
	"github.com/cognate-idp/cognate/internal/userpool/resourceservers"
)

// Params are the parameters of an authorize request, which the login
// pages carry along unchanged.
var Params = []string{"response_type", "client_id", "redirect_uri", "state", "scope", "code_challenge",
	"code_challenge_method", "nonce", "identity_provider", "idp_identifier", "prompt", "login_hint", "lang"}

// Request is a checked authorize request.
type Request struct {
	PoolID       string
	ClientID     string
	ResponseType string // "code" or "token"
	RedirectURI  string
	State        string
	Scopes       []string
	Challenge    string // PKCE code_challenge (S256), "" for none
	Nonce        string
	Prompt       string // OIDC prompt values, space-separated (see prompts)
	// LoginHint is the user name the sign-in form starts with, passed on
	// to an OIDC provider the request signs in through.
	LoginHint string
	// Provider is the identity provider to sign in through, by name; ""
	// for the managed login's own pages.
	Provider string
}

// prompts are the prompt values Cognito takes. none and login act on the
// managed login's session: none signs in only with one (login_required
// otherwise), login asks for the password again. select_account and
// consent have no effect on the managed login itself; they, and login,
// are passed on to an OIDC provider the request signs in through.
var prompts = []string{"none", "login", "select_account", "consent"}

// checkPrompt returns what is wrong with a prompt parameter, "" when
// nothing is: each value must be one of prompts, and none stands alone
// (OpenID Connect Core 3.1.2.1). Unconfirmed: Cognito's wording.
func checkPrompt(prompt string) string {
	vs := strings.Fields(prompt)
	for _, v := range vs {
		if !slices.Contains(prompts, v) {
			return "Prompt " + v + " is not supported."
		}
	}
	if len(vs) > 1 && slices.Contains(vs, "none") {
		return "Prompt none cannot be combined with other values."
	}
	return ""
}

// PromptHas reports whether the request's prompt includes v.
func (r *Request) PromptHas(v string) bool { return slices.Contains(strings.Fields(r.Prompt), v) }

// AuthorizeError is an authorize request that failed. With Redirect
// false the browser is shown Message and sent nowhere: the client or the
// redirect URI is unknown, and a redirect could reach anyone. Otherwise
// the error goes back to the redirect URI as OAuth's error and
// error_description (in the fragment for the implicit grant), with the
// request's state.
type AuthorizeError struct {
	Redirect    bool
	Code        string
	Description string
	RedirectURI string
	State       string
	Fragment    bool
}

func (e *AuthorizeError) Error() string { return "authorize: " + e.Code + ": " + e.Description }

// URL is where a redirecting error sends the browser.
func (e *AuthorizeError) URL() string {
	v := url.Values{"error": {e.Code}}
	if e.Description != "" {
		v.Set("error_description", e.Description)
	}
	if e.State != "" {
		v.Set("state", e.State)
	}
	return withParams(e.RedirectURI, v, e.Fragment)
}

// withParams adds v to u's query, or its fragment.
func withParams(u string, v url.Values, fragment bool) string {
	if fragment {
		return u + "#" + v.Encode()
	}
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + v.Encode()
}

// Authorize checks an authorize request to the domain of pool poolID, in
// Cognito's order: client, redirect URI (both shown, not redirected),
// then response type, the client's OAuth settings, scopes and PKCE
// (redirected).
func (s *Service) Authorize(ctx context.Context, poolID string, q url.Values) (*Request, *core.Client, error) {
	var c *core.Client
	var scopes []string
	r := &Request{PoolID: poolID, ClientID: q.Get("client_id"), RedirectURI: q.Get("redirect_uri"), State: q.Get("state"),
		Nonce: q.Get("nonce"), Prompt: q.Get("prompt"), LoginHint: q.Get("login_hint"), ResponseType: q.Get("response_type")}
	fail := func(code, desc string) error {
		return &AuthorizeError{Redirect: true, Code: code, Description: desc, RedirectURI: r.RedirectURI, State: r.State, Fragment: r.ResponseType == "token"}
	}
	err := s.Store.View(ctx, func(tx store.Tx) error {
		var err error
		if r.ClientID == "" {
			return &AuthorizeError{Code: "invalid_request", Description: "Required parameter client_id is missing."}
		}
		c, err = s.LoadClient(tx, poolID, r.ClientID)
		if cognito.IsCode(err, cognito.ResourceNotFound) {
			// Unconfirmed: the wording of Cognito's error page.
			return &AuthorizeError{Code: "invalid_client", Description: "Client " + r.ClientID + " does not exist in this user pool."}
		} else if err != nil {
			return err
		}
		if r.RedirectURI == "" || !slices.Contains(c.Cfg.CallbackURLs, r.RedirectURI) {
			// Cognito's error page names this redirect_mismatch.
			return &AuthorizeError{Code: "redirect_mismatch", Description: "The redirect_uri is not one of the app client's callback URLs."}
		}
		switch r.ResponseType {
		case "code", "token":
		case "":
			return fail("invalid_request", "Required parameter response_type is missing.")
		default:
			return fail("unsupported_response_type", "Response type "+r.ResponseType+" is not supported.")
		}
		flow := map[string]string{"code": "code", "token": "implicit"}[r.ResponseType]
		if !model.BoolValue(c.Cfg.AllowedOAuthFlowsUserPoolClient) || !slices.Contains(c.Cfg.AllowedOAuthFlows, flow) {
			return fail("unauthorized_client", "The client is not allowed the "+flow+" flow.")
		}
		if r.Provider, err = requestProvider(tx, poolID, c, q); err != nil {
			if ae, ok := err.(*AuthorizeError); ok {
				return fail(ae.Code, ae.Description)
			}
			return err
		}
		if scopes, err = requestScopes(tx, poolID, c, q.Get("scope"), q.Has("scope")); err != nil {
			if _, ok := err.(*cognito.OAuthError); ok {
				return fail("invalid_scope", "A requested scope is not allowed for the client.")
			}
			return err
		}
		if msg := checkPrompt(r.Prompt); msg != "" {
			return fail("invalid_request", msg)
		}
		if ch := q.Get("code_challenge"); ch != "" || q.Has("code_challenge_method") {
			// S256 is the only method Cognito supports.
			// Unconfirmed: the error code for another method or a method
			// without a challenge.
			if r.ResponseType != "code" || q.Get("code_challenge_method") != "S256" || ch == "" {
				return fail("invalid_request", "code_challenge_method must be S256 with a code_challenge.")
			}
			r.Challenge = ch
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	r.Scopes = scopes
	return r, c, nil
}

// requestProvider returns the identity provider an authorize request
// names with identity_provider or, through the providers' IdpIdentifiers,
// idp_identifier; "" for the managed login's own pages (none named, or
// COGNITO). The client must list the provider in its
// SupportedIdentityProviders.
func requestProvider(tx store.Tx, poolID string, c *core.Client, q url.Values) (string, error) {
	idp := q.Get("identity_provider")
	if id := q.Get("idp_identifier"); idp == "" && id != "" {
		name, err := federation.ProviderNameFor(tx, poolID, id)
		if err != nil {
			return "", err
		}
		if name == "" {
			// Unconfirmed: Cognito's answer for an unknown idp_identifier.
			return "", &AuthorizeError{Code: "invalid_request", Description: "No identity provider has the identifier " + id + "."}
		}
		idp = name
	}
	if idp == "" || idp == "COGNITO" {
		return "", nil
	}
	// Unconfirmed: Cognito's answer for an identity provider the client
	// does not support.
	unsupported := &AuthorizeError{Code: "invalid_request", Description: "Identity provider " + idp + " is not supported by the client."}
	if !slices.Contains(c.Cfg.SupportedIdentityProviders, idp) {
		return "", unsupported
	}
	if _, err := federation.LoadUpstream(tx, poolID, idp); cognito.IsCode(err, cognito.ResourceNotFound) {
		return "", unsupported
	} else if err != nil {
		return "", err
	}
	return idp, nil
}

// PasswordAllowed reports whether the client's users may sign in with a
// password on the managed login pages: COGNITO is among its
// SupportedIdentityProviders. Unconfirmed: a client that lists no
// provider at all is treated as listing COGNITO.
func PasswordAllowed(c *core.Client) bool {
	ps := c.Cfg.SupportedIdentityProviders
	return len(ps) == 0 || slices.Contains(ps, "COGNITO")
}

// Providers are the identity providers other than COGNITO the client
// supports, for the buttons of the login page.
func Providers(c *core.Client) []string {
	var out []string
	for _, p := range c.Cfg.SupportedIdentityProviders {
		if p != "COGNITO" {
			out = append(out, p)
		}
	}
	return out
}

// requestScopes returns the scopes an authorize request grants: the asked
// ones, each of which the client must be allowed, or all the client's
// when none are asked, as in Cognito. A custom scope must still exist in
// its resource server.
func requestScopes(tx store.Tx, poolID string, c *core.Client, scope string, has bool) ([]string, error) {
	asked := strings.Fields(scope)
	if !has || len(asked) == 0 {
		asked = c.Cfg.AllowedOAuthScopes
	}
	out := []string{}
	for _, sc := range asked {
		if slices.Contains(out, sc) {
			continue
		}
		if !slices.Contains(c.Cfg.AllowedOAuthScopes, sc) {
			return nil, &cognito.OAuthError{Code: cognito.OAuthInvalidScope}
		}
		if !standardScope(sc) {
			ok, err := resourceservers.HasScope(tx, poolID, sc)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, &cognito.OAuthError{Code: cognito.OAuthInvalidScope}
			}
		}
		out = append(out, sc)
	}
	if len(out) == 0 {
		return nil, &cognito.OAuthError{Code: cognito.OAuthInvalidScope}
	}
	return out, nil
}

func standardScope(s string) bool {
	switch s {
	case "openid", "email", "phone", "profile", "aws.cognito.signin.user.admin":
		return true
	}
	return false
}
