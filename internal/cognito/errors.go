package cognito

import (
	"errors"
	"fmt"
)

// Code is the name of a Cognito exception shape, exactly as it appears in
// the `__type` member of an error response (e.g. "NotAuthorizedException").
type Code string

// Exception names used by Cognate. The list follows the official model; only
// the ones the code returns are named here.
const (
	AliasExists                  Code = "AliasExistsException"
	CodeDeliveryFailure          Code = "CodeDeliveryFailureException"
	CodeMismatch                 Code = "CodeMismatchException"
	ConcurrentModification       Code = "ConcurrentModificationException"
	DeviceKeyExists              Code = "DeviceKeyExistsException"
	DuplicateProvider            Code = "DuplicateProviderException"
	EnableSoftwareTokenMFA       Code = "EnableSoftwareTokenMFAException"
	ExpiredCode                  Code = "ExpiredCodeException"
	Forbidden                    Code = "ForbiddenException"
	GroupExists                  Code = "GroupExistsException"
	InternalError                Code = "InternalErrorException"
	InvalidEmailRoleAccessPolicy Code = "InvalidEmailRoleAccessPolicyException"
	InvalidLambdaResponse        Code = "InvalidLambdaResponseException"
	InvalidOAuthFlow             Code = "InvalidOAuthFlowException"
	InvalidParameter             Code = "InvalidParameterException"
	InvalidPassword              Code = "InvalidPasswordException"
	InvalidSmsRoleAccessPolicy   Code = "InvalidSmsRoleAccessPolicyException"
	InvalidUserPoolConfiguration Code = "InvalidUserPoolConfigurationException"
	LimitExceeded                Code = "LimitExceededException"
	ManagedLoginBrandingExists   Code = "ManagedLoginBrandingExistsException"
	NotAuthorized                Code = "NotAuthorizedException"
	PasswordResetRequired        Code = "PasswordResetRequiredException"
	PreconditionNotMet           Code = "PreconditionNotMetException"
	RefreshTokenReuse            Code = "RefreshTokenReuseException"
	ResourceNotFound             Code = "ResourceNotFoundException"
	ScopeDoesNotExist            Code = "ScopeDoesNotExistException"
	SoftwareTokenMFANotFound     Code = "SoftwareTokenMFANotFoundException"
	TermsExists                  Code = "TermsExistsException"
	TooManyFailedAttempts        Code = "TooManyFailedAttemptsException"
	TooManyRequests              Code = "TooManyRequestsException"
	Unauthorized                 Code = "UnauthorizedException"
	UnexpectedLambda             Code = "UnexpectedLambdaException"
	UnsupportedOperation         Code = "UnsupportedOperationException"
	UnsupportedTokenType         Code = "UnsupportedTokenTypeException"
	UserLambdaValidation         Code = "UserLambdaValidationException"
	UserNotConfirmed             Code = "UserNotConfirmedException"
	UserNotFound                 Code = "UserNotFoundException"
	WebAuthnChallengeNotFound    Code = "WebAuthnChallengeNotFoundException"
	WebAuthnConfigurationMissing Code = "WebAuthnConfigurationMissingException"
	WebAuthnNotEnabled           Code = "WebAuthnNotEnabledException"
	WebAuthnOriginNotAllowed     Code = "WebAuthnOriginNotAllowedException"
	WebAuthnRelyingPartyMismatch Code = "WebAuthnRelyingPartyMismatchException"
	UsernameExists               Code = "UsernameExistsException"
	UserPoolAddOnNotEnabled      Code = "UserPoolAddOnNotEnabledException"
	UserPoolTagging              Code = "UserPoolTaggingException"
	UnsupportedUserState         Code = "UnsupportedUserStateException"
	UnsupportedIdentityProvider  Code = "UnsupportedIdentityProviderException"
)

// Error is a Cognito exception: its shape name and the exact message the
// real service sends. Every layer returns it; the wire layer alone turns it
// into an HTTP response.
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Errorf builds an *Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// New builds an *Error with a fixed message.
func New(code Code, message string) *Error { return &Error{Code: code, Message: message} }

// As returns the *Error inside err, if any.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// IsCode reports whether err is a Cognito error with the given code.
func IsCode(err error, code Code) bool {
	e, ok := As(err)
	return ok && e.Code == code
}
