package federation

import (
	"maps"
	"net/url"
	"slices"
	"strings"
)

// facebookVersion is the Graph API version of a Facebook provider whose
// ProviderDetails give no api_version. Unconfirmed: the version Cognito
// picks today.
const facebookVersion = "v17.0"

// socialDefaults are the ProviderDetails Cognito adds to those given for a
// social provider (which DescribeIdentityProvider then shows, and which
// users of Terraform copy to keep their plans quiet); nil for other types.
func socialDefaults(typ string, given map[string]string) map[string]string {
	switch typ {
	case "Google":
		return map[string]string{
			"attributes_url":                "https://people.googleapis.com/v1/people/me?personFields=",
			"attributes_url_add_attributes": "true",
			"authorize_url":                 "https://accounts.google.com/o/oauth2/v2/auth",
			"oidc_issuer":                   "https://accounts.google.com",
			"token_request_method":          "POST",
			"token_url":                     "https://www.googleapis.com/oauth2/v4/token",
		}
	case "Facebook":
		v := given["api_version"]
		if v == "" {
			v = facebookVersion
		}
		return map[string]string{
			"api_version":                   v,
			"attributes_url":                "https://graph.facebook.com/" + v + "/me?fields=",
			"attributes_url_add_attributes": "true",
			"authorize_url":                 "https://www.facebook.com/" + v + "/dialog/oauth",
			"token_request_method":          "GET",
			"token_url":                     "https://graph.facebook.com/" + v + "/oauth/access_token",
		}
	case "SignInWithApple":
		// Unconfirmed: the details Cognito adds for Apple.
		return map[string]string{
			"authorize_url":        "https://appleid.apple.com/auth/authorize",
			"oidc_issuer":          "https://appleid.apple.com",
			"token_request_method": "POST",
			"token_url":            "https://appleid.apple.com/auth/token",
		}
	case "LoginWithAmazon":
		return map[string]string{
			"attributes_url":                "https://api.amazon.com/user/profile",
			"attributes_url_add_attributes": "false",
			"authorize_url":                 "https://www.amazon.com/ap/oa",
			"token_request_method":          "POST",
			"token_url":                     "https://api.amazon.com/auth/o2/token",
		}
	}
	return nil
}

// withDefaults returns the details given for a provider of type typ with
// Cognito's defaults added; given keys win.
func withDefaults(typ string, given map[string]string) map[string]string {
	def := socialDefaults(typ, given)
	if def == nil {
		return given
	}
	maps.Copy(def, given)
	return def
}

// redefault returns the merged details of an update with the defaults
// worked out again: a stored value that was the old default and that the
// update does not set gives way to the new default (a Facebook provider's
// URLs follow a new api_version).
func redefault(typ string, old, merged, given map[string]string) map[string]string {
	for k, v := range socialDefaults(typ, old) {
		if _, set := given[k]; !set && merged[k] == v {
			delete(merged, k)
		}
	}
	return withDefaults(typ, merged)
}

// signsIDTokens reports whether a sign-in through a provider of type typ
// verifies an ID token: OIDC providers, Google and Apple do; Facebook and
// Login with Amazon speak OAuth 2.0 only, and name the user in their
// profile API's answer.
func signsIDTokens(typ string) bool {
	return typ == "OIDC" || typ == "Google" || typ == "SignInWithApple"
}

// profileURL is where a sign-in through an OAuth 2.0 provider reads the
// user: attributes_url, with the fields the mapping reads appended when
// attributes_url_add_attributes is "true" (Facebook's Graph API answers
// only the fields it is asked for), the user ID field always among them.
func profileURL(up *Upstream) string {
	u := up.Details["attributes_url"]
	if up.Details["attributes_url_add_attributes"] != "true" {
		return u
	}
	fields := []string{"id"}
	for _, claim := range up.Mapping {
		if !slices.Contains(fields, claim) {
			fields = append(fields, claim)
		}
	}
	slices.Sort(fields[1:])
	if !strings.HasSuffix(u, "=") {
		return u
	}
	for i, f := range fields {
		// A mapped claim name stays one field: it cannot add parameters.
		fields[i] = url.QueryEscape(f)
	}
	return u + strings.Join(fields, ",")
}
