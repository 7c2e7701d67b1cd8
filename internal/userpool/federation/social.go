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

// kind is how a sign-in goes through a provider of one type; the types
// a sign-in can go through are those of kinds.
type kind struct {
	// idToken: a verified ID token names the user. Otherwise (OAuth 2.0
	// only) the profile API's answer to the access token does.
	idToken bool
	// prompts are the prompt values the provider takes, passed on from
	// the authorize request; allPrompts passes all of them.
	prompts    []string
	allPrompts bool
	// loginHint passes the authorize request's login_hint on.
	loginHint bool
	// discoveredUserInfo: attributes_url is not a claims endpoint, so the
	// claims beside the ID token's come from the discovered userInfo.
	discoveredUserInfo bool
	// apple: the client secret is a JWT signed with the team's key, the
	// answer comes by response_mode=form_post, with the user's name in
	// its user field.
	apple bool
}

var kinds = map[string]kind{
	"OIDC": {idToken: true, allPrompts: true, loginHint: true},
	// Google refuses prompt values other than these (login among them),
	// and its attributes_url is its People API.
	"Google":          {idToken: true, prompts: []string{"none", "consent", "select_account"}, loginHint: true, discoveredUserInfo: true},
	"SignInWithApple": {idToken: true, apple: true},
	"Facebook":        {},
	"LoginWithAmazon": {},
}

// prompt is the part of an authorize request's prompt that k takes.
func (k kind) prompt(prompt string) string {
	if k.allPrompts {
		return prompt
	}
	var keep []string
	for _, v := range strings.Fields(prompt) {
		if slices.Contains(k.prompts, v) {
			keep = append(keep, v)
		}
	}
	return strings.Join(keep, " ")
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
