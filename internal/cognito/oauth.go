package cognito

// OAuthError is an error of a pool domain's OAuth 2.0 endpoints: an
// RFC 6749 error code such as "invalid_client". Those endpoints answer
// {"error": code}, not a Cognito exception; the wire layer picks the HTTP
// status.
type OAuthError struct {
	Code string
	// Description, when set, is sent as error_description.
	Description string
}

func (e *OAuthError) Error() string { return "oauth2: " + e.Code }

// OAuth error codes of the token endpoint.
const (
	OAuthInvalidRequest       = "invalid_request"
	OAuthInvalidClient        = "invalid_client"
	OAuthInvalidGrant         = "invalid_grant"
	OAuthInvalidScope         = "invalid_scope"
	OAuthUnauthorizedClient   = "unauthorized_client"
	OAuthUnsupportedGrantType = "unsupported_grant_type"
	OAuthInvalidToken         = "invalid_token"
	OAuthUnsupportedTokenType = "unsupported_token_type"
)

// TokenRequest is a request to a pool's token endpoint, as the wire layer
// read it: the form fields, with the client's credentials from HTTP Basic
// authentication or the form.
type TokenRequest struct {
	PoolID       string
	GrantType    string
	ClientID     string
	ClientSecret string
	// Scope is the space-separated scope parameter; HasScope tells an
	// absent one from an empty one.
	Scope    string
	HasScope bool
	// Code, RedirectURI and CodeVerifier are the authorization_code
	// grant's; RefreshToken the refresh_token grant's.
	Code         string
	RedirectURI  string
	CodeVerifier string
	RefreshToken string
}

// TokenResponse is the token endpoint's answer.
type TokenResponse struct {
	AccessToken  string `json:"access_token"`
	IDToken      string `json:"id_token,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
	ExpiresIn    int64  `json:"expires_in"`
	TokenType    string `json:"token_type"`
}
