package federation

import (
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// MapClaims applies a provider's AttributeMapping (pool attribute ←
// provider claim) to the claims of a sign-in through it: the provider's
// ID of the user (the claim mapped to username, sub by default) and the
// pool attributes. Claims that are absent, attributes the pool does not
// have and those Cognito sets itself (sub, identities) are left out.
// Unconfirmed: a value the attribute's constraints refuse (too long, not
// a number) is left out rather than failing the sign-in.
func MapClaims(p *core.Pool, mapping map[string]string, claims map[string]any) (string, map[string]string, error) {
	src := mapping["username"]
	if src == "" {
		src = "sub"
	}
	userID := claimString(claims[src])
	if userID == "" {
		return "", nil, errors.New("the provider gave no " + src + " claim to name the user by")
	}
	attrs := map[string]string{}
	for attr, claim := range mapping {
		if attr == "username" || attr == "sub" || attr == "identities" {
			continue
		}
		a := p.Schema[attr]
		if a == nil {
			continue
		}
		v, ok := claims[claim]
		if !ok || v == nil {
			continue
		}
		s := claimString(v)
		if s == "" || core.CheckValue(a, s) != "" {
			continue
		}
		attrs[attr] = s
	}
	return userID, attrs, nil
}

// claimString is the attribute value of a claim: strings as they are,
// booleans and numbers in JSON form, objects and arrays as JSON.
func claimString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return x.String()
	}
	buf, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(buf)
}

// identity is one entry of the identities attribute of a federated user,
// with Cognito's field names and order.
type identity struct {
	UserID       string  `json:"userId"`
	ProviderName string  `json:"providerName"`
	ProviderType string  `json:"providerType"`
	Issuer       *string `json:"issuer"`
	Primary      bool    `json:"primary"`
	DateCreated  int64   `json:"dateCreated"` // Unix milliseconds
}

// identitiesValue is the identities attribute of a user federated from
// provider u as userID at created.
// Unconfirmed: issuer is null for OIDC providers, as in the examples of
// Cognito's documentation for social ones; Cognito sets it to the entity
// ID of SAML providers.
func identitiesValue(u *Upstream, userID string, created time.Time) string {
	buf, _ := json.Marshal([]identity{{UserID: userID, ProviderName: u.Name, ProviderType: u.Type, Primary: true, DateCreated: created.UnixMilli()}})
	return string(buf)
}

// hasIdentity reports whether an identities attribute holds the identity
// userID of provider, compared exactly.
func hasIdentity(identities, provider, userID string) bool {
	var list []identity
	if json.Unmarshal([]byte(identities), &list) != nil {
		return false
	}
	for _, id := range list {
		if id.ProviderName == provider && id.UserID == userID {
			return true
		}
	}
	return false
}
