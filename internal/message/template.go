package message

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cognate-idp/cognate/internal/cognito"
)

// Placeholders Cognito replaces in message templates.
const (
	CodePlaceholder     = "{####}"
	UsernamePlaceholder = "{username}"
)

// Cognito's default verification templates, used when a pool's template
// field is empty.
const (
	DefaultEmailSubject = "Your verification code"
	DefaultEmailMessage = "Your verification code is {####}. "
	DefaultSMSMessage   = "Your verification code is {####}. "
)

// Limits on the messages a CustomMessage trigger may return.
const (
	MaxSMSLength   = 140
	MaxEmailLength = 20000
)

// Templates are a pool's verification message templates
// (VerificationMessageTemplate). Empty fields mean Cognito's defaults.
type Templates struct {
	EmailSubject string
	EmailMessage string
	SMSMessage   string
}

// Compose fills the template for medium m with code and username. SMS
// messages have no subject. Placeholders are replaced in one pass, so a
// username that itself contains "{####}" is not turned into the code.
func Compose(t Templates, m Medium, code, username string) (subject, body string) {
	r := strings.NewReplacer(CodePlaceholder, code, UsernamePlaceholder, username)
	if m == SMS {
		return "", r.Replace(orDefault(t.SMSMessage, DefaultSMSMessage))
	}
	return r.Replace(orDefault(t.EmailSubject, DefaultEmailSubject)),
		r.Replace(orDefault(t.EmailMessage, DefaultEmailMessage))
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// customPattern is the constraint Cognito reports for a message body
// without the code placeholder.
const customPattern = `[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*\{####\}[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*`

// ValidateCustom checks a message body returned by a CustomMessage trigger
// (before the code is substituted): it must contain "{####}", consist of
// letters, marks, symbols, numbers, punctuation and white space, and be at
// most 140 characters for SMS or 20,000 for email. A violation is an
// InvalidParameterException worded like Cognito's validation errors, at
// member 'smsMessage' or 'emailBody'.
func ValidateCustom(m Medium, body string) error {
	member, max := "emailBody", MaxEmailLength
	if m == SMS {
		member, max = "smsMessage", MaxSMSLength
	}
	var problems []string
	if utf8.RuneCountInString(body) > max {
		problems = append(problems, fmt.Sprintf(
			"Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d",
			body, member, max))
	}
	if !matchesCustomPattern(body) {
		problems = append(problems, fmt.Sprintf(
			"Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s",
			body, member, customPattern))
	}
	switch len(problems) {
	case 0:
		return nil
	case 1:
		return cognito.New(cognito.InvalidParameter, "1 validation error detected: "+problems[0])
	default:
		return cognito.Errorf(cognito.InvalidParameter, "%d validation errors detected: %s",
			len(problems), strings.Join(problems, "; "))
	}
}

// matchesCustomPattern reports whether body matches customPattern in full.
// The character class contains '{', '#' and '}' (punctuation), so the
// pattern holds exactly when every character is in the class and the
// placeholder occurs somewhere.
func matchesCustomPattern(body string) bool {
	if !strings.Contains(body, CodePlaceholder) || !utf8.ValidString(body) {
		return false
	}
	for _, r := range body {
		if !inCustomClass(r) {
			return false
		}
	}
	return true
}

// inCustomClass reports whether r is in [\p{L}\p{M}\p{S}\p{N}\p{P}\s*], \s
// being Java's [ \t\n\x0B\f\r].
func inCustomClass(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r', '*':
		return true
	}
	return unicode.In(r, unicode.L, unicode.M, unicode.S, unicode.N, unicode.P)
}
