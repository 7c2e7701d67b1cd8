package trigger

import "encoding/json"

// Trigger names, as Cognito writes them in its Lambda error messages
// ("<Trigger> failed with error ...").
const (
	TriggerPreSignUp          = "PreSignUp"
	TriggerPostConfirmation   = "PostConfirmation"
	TriggerPreAuthentication  = "PreAuthentication"
	TriggerPostAuthentication = "PostAuthentication"
	TriggerPreTokenGeneration = "PreTokenGeneration"
	TriggerUserMigration      = "UserMigration"
	TriggerCustomMessage      = "CustomMessage"

	TriggerDefineAuthChallenge         = "DefineAuthChallenge"
	TriggerCreateAuthChallenge         = "CreateAuthChallenge"
	TriggerVerifyAuthChallengeResponse = "VerifyAuthChallengeResponse"
)

// Trigger sources: the value of an event's triggerSource, naming both the
// trigger and the operation that caused it.
const (
	SourceCustomMessageSignUp              = "CustomMessage_SignUp"
	SourceCustomMessageResendCode          = "CustomMessage_ResendCode"
	SourceCustomMessageForgotPassword      = "CustomMessage_ForgotPassword"
	SourceCustomMessageUpdateUserAttribute = "CustomMessage_UpdateUserAttribute"
	SourceCustomMessageVerifyUserAttribute = "CustomMessage_VerifyUserAttribute"
	SourceCustomMessageAdminCreateUser     = "CustomMessage_AdminCreateUser"
	SourceCustomMessageAuthentication      = "CustomMessage_Authentication"

	SourcePreSignUpSignUp           = "PreSignUp_SignUp"
	SourcePreSignUpAdminCreateUser  = "PreSignUp_AdminCreateUser"
	SourcePreSignUpExternalProvider = "PreSignUp_ExternalProvider"

	SourcePostConfirmationConfirmSignUp         = "PostConfirmation_ConfirmSignUp"
	SourcePostConfirmationConfirmForgotPassword = "PostConfirmation_ConfirmForgotPassword"

	SourcePreAuthenticationAuthentication  = "PreAuthentication_Authentication"
	SourcePostAuthenticationAuthentication = "PostAuthentication_Authentication"

	SourceTokenGenerationHostedAuth           = "TokenGeneration_HostedAuth"
	SourceTokenGenerationAuthentication       = "TokenGeneration_Authentication"
	SourceTokenGenerationRefreshTokens        = "TokenGeneration_RefreshTokens"
	SourceTokenGenerationNewPasswordChallenge = "TokenGeneration_NewPasswordChallenge"
	SourceTokenGenerationAuthenticateDevice   = "TokenGeneration_AuthenticateDevice"

	SourceDefineAuthChallenge         = "DefineAuthChallenge_Authentication"
	SourceCreateAuthChallenge         = "CreateAuthChallenge_Authentication"
	SourceVerifyAuthChallengeResponse = "VerifyAuthChallengeResponse_Authentication"

	SourceUserMigrationAuthentication = "UserMigration_Authentication"
	SourceUserMigrationForgotPassword = "UserMigration_ForgotPassword"
)

// ClientIDNotApplicable is callerContext.clientId when the operation has no
// app client (Admin* operations called with IAM credentials).
const ClientIDNotApplicable = "CLIENT_ID_NOT_APPLICABLE"

// EventVersion is the version of every event except PreTokenGeneration V2_0
// (see PreTokenGenerationVersion).
const EventVersion = "1"

// PreTokenGenerationVersion returns the event version for a pool's
// PreTokenGenerationConfig.LambdaVersion: "1" for V1_0 (or unset), "2" for
// V2_0, "3" for V3_0. The version also selects the response shape.
func PreTokenGenerationVersion(lambdaVersion string) string {
	switch lambdaVersion {
	case "V2_0":
		return "2"
	case "V3_0":
		return "3"
	default:
		return "1"
	}
}

// CallerContext names the caller of the operation that fired the trigger.
type CallerContext struct {
	// AWSSDKVersion is derived from the caller's User-Agent (see AWSSDKVersion).
	AWSSDKVersion string `json:"awsSdkVersion"`
	// ClientID is the app client id, or ClientIDNotApplicable.
	ClientID string `json:"clientId"`
}

// Event is the header every trigger event starts with.
type Event struct {
	Version       string        `json:"version"`
	TriggerSource string        `json:"triggerSource"`
	Region        string        `json:"region"`
	UserPoolID    string        `json:"userPoolId"`
	UserName      string        `json:"userName"`
	CallerContext CallerContext `json:"callerContext"`
}

// header lets the Caller log the source and pool of any event embedding Event.
func (e Event) header() Event { return e }

// CustomMessageEvent asks the function for the text of an email or SMS
// before Cognito sends it.
type CustomMessageEvent struct {
	Event
	Request  CustomMessageRequest  `json:"request"`
	Response CustomMessageResponse `json:"response"`
}

// CustomMessageRequest is the request part of a CustomMessageEvent.
type CustomMessageRequest struct {
	UserAttributes map[string]string `json:"userAttributes"`
	// CodeParameter is the placeholder ("{####}") the message must contain;
	// Cognito substitutes the real code after the function returns.
	CodeParameter string `json:"codeParameter"`
	LinkParameter string `json:"linkParameter"`
	// UsernameParameter is "{username}" for CustomMessage_AdminCreateUser,
	// nil (JSON null) otherwise.
	UsernameParameter *string           `json:"usernameParameter"`
	ClientMetadata    map[string]string `json:"clientMetadata,omitempty"`
}

// CustomMessageResponse is the response part of a CustomMessageEvent; a nil
// field (JSON null or absent) means "use the pool's template".
type CustomMessageResponse struct {
	SMSMessage   *string `json:"smsMessage"`
	EmailMessage *string `json:"emailMessage"`
	EmailSubject *string `json:"emailSubject"`
}

// PreSignUpEvent lets the function reject, auto-confirm or auto-verify a new
// user before it is created.
type PreSignUpEvent struct {
	Event
	Request  PreSignUpRequest  `json:"request"`
	Response PreSignUpResponse `json:"response"`
}

// PreSignUpRequest is the request part of a PreSignUpEvent.
type PreSignUpRequest struct {
	UserAttributes map[string]string `json:"userAttributes"`
	// ValidationData is null when the caller sent none.
	ValidationData map[string]string `json:"validationData"`
	ClientMetadata map[string]string `json:"clientMetadata,omitempty"`
}

// PreSignUpResponse is the response part of a PreSignUpEvent.
type PreSignUpResponse struct {
	AutoConfirmUser bool `json:"autoConfirmUser"`
	AutoVerifyEmail bool `json:"autoVerifyEmail"`
	AutoVerifyPhone bool `json:"autoVerifyPhone"`
}

// PostConfirmationEvent tells the function a user was confirmed (sign-up or
// forgot-password).
type PostConfirmationEvent struct {
	Event
	Request  PostConfirmationRequest  `json:"request"`
	Response PostConfirmationResponse `json:"response"`
}

// PostConfirmationRequest is the request part of a PostConfirmationEvent.
type PostConfirmationRequest struct {
	UserAttributes map[string]string `json:"userAttributes"`
	ClientMetadata map[string]string `json:"clientMetadata,omitempty"`
}

// PostConfirmationResponse is empty: the function can only fail the call.
type PostConfirmationResponse struct{}

// PreAuthenticationEvent lets the function deny a sign-in attempt.
type PreAuthenticationEvent struct {
	Event
	Request  PreAuthenticationRequest  `json:"request"`
	Response PreAuthenticationResponse `json:"response"`
}

// PreAuthenticationRequest is the request part of a PreAuthenticationEvent.
type PreAuthenticationRequest struct {
	UserAttributes map[string]string `json:"userAttributes"`
	// ValidationData carries the ClientMetadata of the sign-in request.
	ValidationData map[string]string `json:"validationData"`
	// UserNotFound is set when the user does not exist and the app client
	// has PreventUserExistenceErrors ENABLED.
	UserNotFound bool `json:"userNotFound,omitempty"`
}

// PreAuthenticationResponse is empty: the function can only fail the call.
type PreAuthenticationResponse struct{}

// PostAuthenticationEvent tells the function a user signed in, before tokens
// are returned.
type PostAuthenticationEvent struct {
	Event
	Request  PostAuthenticationRequest  `json:"request"`
	Response PostAuthenticationResponse `json:"response"`
}

// PostAuthenticationRequest is the request part of a PostAuthenticationEvent.
type PostAuthenticationRequest struct {
	UserAttributes map[string]string `json:"userAttributes"`
	NewDeviceUsed  bool              `json:"newDeviceUsed"`
	ClientMetadata map[string]string `json:"clientMetadata,omitempty"`
}

// PostAuthenticationResponse is empty: the function can only fail the call.
type PostAuthenticationResponse struct{}

// UserMigrationEvent asks the function for a user that is not in the pool,
// at sign-in (with the password) or in the forgot-password flow.
type UserMigrationEvent struct {
	Event
	Request  UserMigrationRequest  `json:"request"`
	Response UserMigrationResponse `json:"response"`
}

// UserMigrationRequest is the request part of a UserMigrationEvent.
type UserMigrationRequest struct {
	// Password is the cleartext password of a sign-in; empty for
	// UserMigration_ForgotPassword. Never log it.
	Password       string            `json:"password,omitempty"`
	ValidationData map[string]string `json:"validationData"`
	ClientMetadata map[string]string `json:"clientMetadata,omitempty"`
}

// UserMigrationResponse is the response part of a UserMigrationEvent; nil
// fields are null in the event Cognito sends and mean "default".
type UserMigrationResponse struct {
	UserAttributes         map[string]string `json:"userAttributes"`
	FinalUserStatus        *string           `json:"finalUserStatus"`
	MessageAction          *string           `json:"messageAction"`
	DesiredDeliveryMediums []string          `json:"desiredDeliveryMediums"`
	ForceAliasCreation     *bool             `json:"forceAliasCreation"`
	EnableSMSMFA           *bool             `json:"enableSMSMFA"`
}

// PreTokenGenerationEvent lets the function change the claims (V1) or the
// claims and scopes (V2/V3) of the tokens about to be issued. Event.Version
// ("1", "2", "3"; see PreTokenGenerationVersion) selects which response
// member Cognate sends as null.
type PreTokenGenerationEvent struct {
	Event
	Request  PreTokenGenerationRequest  `json:"request"`
	Response PreTokenGenerationResponse `json:"response"`
}

// PreTokenGenerationRequest is the request part of a PreTokenGenerationEvent.
type PreTokenGenerationRequest struct {
	UserAttributes     map[string]string  `json:"userAttributes"`
	GroupConfiguration GroupConfiguration `json:"groupConfiguration"`
	// Scopes are the access token's scopes (V2 and V3 events only).
	Scopes         []string          `json:"scopes,omitempty"`
	ClientMetadata map[string]string `json:"clientMetadata,omitempty"`
}

// GroupConfiguration is the user's groups and IAM roles (request), or their
// replacement (response groupOverrideDetails).
type GroupConfiguration struct {
	GroupsToOverride   []string `json:"groupsToOverride"`
	IAMRolesToOverride []string `json:"iamRolesToOverride"`
	PreferredRole      *string  `json:"preferredRole"`
}

// PreTokenGenerationResponse holds the V1 answer (ClaimsOverrideDetails)
// or the V2/V3 answer (ClaimsAndScopeOverrideDetails); nil means no change.
type PreTokenGenerationResponse struct {
	ClaimsOverrideDetails         *ClaimsOverrideDetails         `json:"claimsOverrideDetails,omitempty"`
	ClaimsAndScopeOverrideDetails *ClaimsAndScopeOverrideDetails `json:"claimsAndScopeOverrideDetails,omitempty"`
}

// ClaimsOverrideDetails is the V1 response: ID token claims and groups.
type ClaimsOverrideDetails struct {
	ClaimsToAddOrOverride map[string]string   `json:"claimsToAddOrOverride,omitempty"`
	ClaimsToSuppress      []string            `json:"claimsToSuppress,omitempty"`
	GroupOverrideDetails  *GroupConfiguration `json:"groupOverrideDetails,omitempty"`
}

// ClaimsAndScopeOverrideDetails is the V2/V3 response: per-token claims,
// access token scopes, and groups.
type ClaimsAndScopeOverrideDetails struct {
	IDTokenGeneration     *IDTokenGeneration     `json:"idTokenGeneration,omitempty"`
	AccessTokenGeneration *AccessTokenGeneration `json:"accessTokenGeneration,omitempty"`
	GroupOverrideDetails  *GroupConfiguration    `json:"groupOverrideDetails,omitempty"`
}

// IDTokenGeneration changes ID token claims. V2 claim values may be any
// JSON value (string, number, boolean, array, object); numbers decode as
// json.Number.
type IDTokenGeneration struct {
	ClaimsToAddOrOverride map[string]any `json:"claimsToAddOrOverride,omitempty"`
	ClaimsToSuppress      []string       `json:"claimsToSuppress,omitempty"`
}

// AccessTokenGeneration changes access token claims and scopes.
type AccessTokenGeneration struct {
	ClaimsToAddOrOverride map[string]any `json:"claimsToAddOrOverride,omitempty"`
	ClaimsToSuppress      []string       `json:"claimsToSuppress,omitempty"`
	ScopesToAdd           []string       `json:"scopesToAdd,omitempty"`
	ScopesToSuppress      []string       `json:"scopesToSuppress,omitempty"`
}

// MarshalJSON writes the event as Cognito sends it: the response member of
// the event's version is present (null unless set), the other one only when
// set.
func (e PreTokenGenerationEvent) MarshalJSON() ([]byte, error) {
	resp := map[string]any{}
	if e.Version == "1" || e.Version == "" || e.Response.ClaimsOverrideDetails != nil {
		resp["claimsOverrideDetails"] = e.Response.ClaimsOverrideDetails
	}
	if (e.Version != "1" && e.Version != "") || e.Response.ClaimsAndScopeOverrideDetails != nil {
		resp["claimsAndScopeOverrideDetails"] = e.Response.ClaimsAndScopeOverrideDetails
	}
	return json.Marshal(struct {
		Event
		Request  PreTokenGenerationRequest `json:"request"`
		Response map[string]any            `json:"response"`
	}{e.Event, e.Request, resp})
}
