package tokens

import (
	"encoding/json"
	"strconv"
)

// storedIdentity is an entry of the identities attribute of a federated
// user.
type storedIdentity struct {
	UserID       string  `json:"userId"`
	ProviderName string  `json:"providerName"`
	ProviderType string  `json:"providerType"`
	Issuer       *string `json:"issuer"`
	Primary      bool    `json:"primary"`
	DateCreated  int64   `json:"dateCreated"`
}

// identityClaim is the same entry in an ID token, with the field order
// and the string-valued primary and dateCreated of the ID token examples
// in Cognito's documentation.
type identityClaim struct {
	DateCreated  string  `json:"dateCreated"`
	UserID       string  `json:"userId"`
	ProviderName string  `json:"providerName"`
	ProviderType string  `json:"providerType"`
	Issuer       *string `json:"issuer"`
	Primary      string  `json:"primary"`
}

// identitiesClaim is the identities claim of an ID token for the
// identities attribute attr: a JSON array. A value that is not such an
// array stays the string it is.
func identitiesClaim(attr string) any {
	var ids []storedIdentity
	if err := json.Unmarshal([]byte(attr), &ids); err != nil {
		return attr
	}
	out := make([]identityClaim, len(ids))
	for i, id := range ids {
		out[i] = identityClaim{DateCreated: strconv.FormatInt(id.DateCreated, 10), UserID: id.UserID, ProviderName: id.ProviderName,
			ProviderType: id.ProviderType, Issuer: id.Issuer, Primary: strconv.FormatBool(id.Primary)}
	}
	return out
}
