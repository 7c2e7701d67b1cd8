package trigger

// ChallengeResult is one round of a custom authentication, as the
// challenge triggers see it in request.session, oldest first.
type ChallengeResult struct {
	ChallengeName   string `json:"challengeName"`
	ChallengeResult bool   `json:"challengeResult"`
	// ChallengeMetadata is what CreateAuthChallenge returned for the
	// round; null when it returned none (and for SRP_A and
	// PASSWORD_VERIFIER).
	ChallengeMetadata *string `json:"challengeMetadata"`
}

// DefineAuthChallengeEvent asks the function what comes next in a custom
// authentication: another challenge, tokens, or failure.
type DefineAuthChallengeEvent struct {
	Event
	Request  DefineAuthChallengeRequest  `json:"request"`
	Response DefineAuthChallengeResponse `json:"response"`
}

// DefineAuthChallengeRequest is the request part of a
// DefineAuthChallengeEvent.
type DefineAuthChallengeRequest struct {
	UserAttributes map[string]string `json:"userAttributes"`
	Session        []ChallengeResult `json:"session"`
	ClientMetadata map[string]string `json:"clientMetadata,omitempty"`
	// UserNotFound is set when nobody has the name and the app client
	// hides user existence (PreventUserExistenceErrors ENABLED).
	UserNotFound bool `json:"userNotFound,omitempty"`
}

// DefineAuthChallengeResponse is the response part of a
// DefineAuthChallengeEvent; Cognito sends its members as null.
type DefineAuthChallengeResponse struct {
	ChallengeName      *string `json:"challengeName"`
	IssueTokens        *bool   `json:"issueTokens"`
	FailAuthentication *bool   `json:"failAuthentication"`
}

// CreateAuthChallengeEvent asks the function for the challenge
// DefineAuthChallenge named: what the client sees and what
// VerifyAuthChallengeResponse will check.
type CreateAuthChallengeEvent struct {
	Event
	Request  CreateAuthChallengeRequest  `json:"request"`
	Response CreateAuthChallengeResponse `json:"response"`
}

// CreateAuthChallengeRequest is the request part of a
// CreateAuthChallengeEvent.
type CreateAuthChallengeRequest struct {
	UserAttributes map[string]string `json:"userAttributes"`
	ChallengeName  string            `json:"challengeName"`
	Session        []ChallengeResult `json:"session"`
	ClientMetadata map[string]string `json:"clientMetadata,omitempty"`
	UserNotFound   bool              `json:"userNotFound,omitempty"`
}

// CreateAuthChallengeResponse is the response part of a
// CreateAuthChallengeEvent.
type CreateAuthChallengeResponse struct {
	PublicChallengeParameters  map[string]string `json:"publicChallengeParameters"`
	PrivateChallengeParameters map[string]string `json:"privateChallengeParameters"`
	ChallengeMetadata          *string           `json:"challengeMetadata"`
}

// VerifyAuthChallengeResponseEvent asks the function whether the client's
// answer is right.
type VerifyAuthChallengeResponseEvent struct {
	Event
	Request  VerifyAuthChallengeResponseRequest  `json:"request"`
	Response VerifyAuthChallengeResponseResponse `json:"response"`
}

// VerifyAuthChallengeResponseRequest is the request part of a
// VerifyAuthChallengeResponseEvent.
type VerifyAuthChallengeResponseRequest struct {
	UserAttributes             map[string]string `json:"userAttributes"`
	PrivateChallengeParameters map[string]string `json:"privateChallengeParameters"`
	ChallengeAnswer            string            `json:"challengeAnswer"`
	ClientMetadata             map[string]string `json:"clientMetadata,omitempty"`
	UserNotFound               bool              `json:"userNotFound,omitempty"`
}

// VerifyAuthChallengeResponseResponse is the response part of a
// VerifyAuthChallengeResponseEvent.
type VerifyAuthChallengeResponseResponse struct {
	AnswerCorrect *bool `json:"answerCorrect"`
}
