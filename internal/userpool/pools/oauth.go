package pools

import (
	"net"
	"net/url"
	"slices"
	"strings"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/resourceservers"
)

// isStandardScope reports whether scope is one of the scopes Cognito
// defines itself; every other scope must belong to a resource server.
func isStandardScope(scope string) bool {
	switch scope {
	case "phone", "email", "openid", "profile", "aws.cognito.signin.user.admin":
		return true
	}
	return false
}

// checkOAuth refuses an app client's OAuth settings that Cognito refuses:
// redirect URLs it would not redirect to, flows that cannot go together,
// and scopes that do not exist in the pool. hasSecret tells whether the
// client has a client secret.
//
// A client keeps the custom scopes it was given when their resource server
// or the scope is deleted later (Unconfirmed: Cognito was reported to allow
// such deletes "cleanly"; whether it also strips the scope from clients is
// not known). The stale scope then fails this check on the client's next
// update, as any unknown scope does.
func checkOAuth(tx store.Tx, poolID string, cfg *model.UserPoolClientType, hasSecret bool) error {
	for _, u := range cfg.CallbackURLs {
		if err := checkRedirectURL(u); err != nil {
			return err
		}
	}
	for _, u := range cfg.LogoutURLs {
		if err := checkRedirectURL(u); err != nil {
			return err
		}
	}
	if cfg.DefaultRedirectURI != nil {
		if err := checkRedirectURL(*cfg.DefaultRedirectURI); err != nil {
			return err
		}
	}
	flows, scopes := cfg.AllowedOAuthFlows, cfg.AllowedOAuthScopes
	// Unconfirmed: Cognito checks the combination of flows only when the
	// client is allowed to use them; flows stored on a client with
	// AllowedOAuthFlowsUserPoolClient false are inert.
	if model.BoolValue(cfg.AllowedOAuthFlowsUserPoolClient) {
		if len(flows) == 0 || len(scopes) == 0 {
			return cognito.New(cognito.InvalidParameter, "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows.")
		}
		machine := slices.Contains(flows, "client_credentials")
		browser := slices.Contains(flows, "code") || slices.Contains(flows, "implicit")
		if machine && browser {
			return cognito.New(cognito.InvalidOAuthFlow, "client_credentials flow can not be selected along with code flow or implicit flow.")
		}
		if machine && !hasSecret {
			return cognito.New(cognito.InvalidOAuthFlow, "client_credentials flow can not be selected if client does not have a client secret.")
		}
		if machine {
			for _, sc := range scopes {
				if isStandardScope(sc) {
					// Unconfirmed: the text was reported for openid; the
					// other standard scopes are assumed to be refused alike.
					return cognito.Errorf(cognito.InvalidOAuthFlow, "%s is not supported with client_credentials flow", sc)
				}
			}
		}
		if browser && len(cfg.CallbackURLs) == 0 {
			return cognito.New(cognito.InvalidOAuthFlow, "CallbackUrls can not be empty when code flow or implicit flow is selected")
		}
	}
	for _, sc := range scopes {
		if isStandardScope(sc) {
			continue
		}
		ok, err := resourceservers.HasScope(tx, poolID, sc)
		if err != nil {
			return err
		}
		if !ok {
			return cognito.Errorf(cognito.ScopeDoesNotExist, "Invalid scope requested: %s", sc)
		}
	}
	return nil
}

// checkRedirectURL refuses a callback or sign-out URL Cognito refuses:
// plain http is for the loopback host only; https and app schemes
// (myapp://callback) are allowed.
func checkRedirectURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		// Unconfirmed: Cognito's text for a relative or unparsable URL.
		return cognito.Errorf(cognito.InvalidParameter, "%s is not a valid URL.", raw)
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		// Unconfirmed: the documentation forbids a fragment; the text is
		// not known.
		return cognito.Errorf(cognito.InvalidParameter, "%s cannot contain a fragment.", raw)
	}
	if strings.EqualFold(u.Scheme, "http") && !isLoopback(u.Hostname()) {
		return cognito.Errorf(cognito.InvalidParameter, "%s cannot use the HTTP protocol.", raw)
	}
	return nil
}

// isLoopback reports whether host is localhost or one of the loopback
// literals 127.0.0.1 and [::1], the hosts Cognito lets use plain http.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.Equal(net.IPv4(127, 0, 0, 1)) || ip.Equal(net.IPv6loopback))
}
