package branding

import (
	"strings"

	"github.com/cognate-idp/cognate/internal/cognito"
)

// cssClasses are the selectors the classic hosted UI lets a stylesheet
// style, as the Cognito developer guide lists them.
var cssClasses = map[string]bool{
	".background-customizable":             true,
	".banner-customizable":                 true,
	".errorMessage-customizable":           true,
	".idpButton-customizable":              true,
	".idpButton-customizable:hover":        true,
	".idpDescription-customizable":         true,
	".inputField-customizable":             true,
	".inputField-customizable:focus":       true,
	".label-customizable":                  true,
	".legalText-customizable":              true,
	".logo-customizable":                   true,
	".passwordCheck-valid-customizable":    true,
	".passwordCheck-notValid-customizable": true,
	".redirect-customizable":               true,
	".socialButton-customizable":           true,
	".submitButton-customizable":           true,
	".submitButton-customizable:hover":     true,
	".textDescription-customizable":        true,
}

// checkCSS accepts a stylesheet made only of rules whose selectors are
// among cssClasses, with no at-rules (@import, @media, …) and no script.
//
// Unconfirmed: the messages; that every at-rule is refused (the guide
// names @import, @supports, @page and @media); that Cognito checks the
// selectors and not the properties (the guide lists the properties each
// class takes, but says only that others have no effect).
func checkCSS(css string) error {
	css = stripComments(css)
	lower := strings.ToLower(css)
	for _, bad := range []string{"javascript:", "<script", "expression("} {
		if strings.Contains(lower, bad) {
			return cognito.New(cognito.InvalidParameter, "The CSS must not contain JavaScript.")
		}
	}
	rest := css
	for {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			if strings.TrimSpace(rest) != "" || strings.ContainsRune(rest, '}') {
				return invalidCSS()
			}
			return nil
		}
		head := rest[:open]
		if strings.ContainsRune(head, '}') {
			return invalidCSS()
		}
		body := rest[open+1:]
		for _, sel := range strings.Split(head, ",") {
			sel = strings.Join(strings.Fields(sel), " ")
			if strings.HasPrefix(sel, "@") {
				return cognito.Errorf(cognito.InvalidParameter, "The CSS must not contain %s rules.", strings.Fields(sel)[0])
			}
			if !cssClasses[sel] {
				return cognito.Errorf(cognito.InvalidParameter, "The CSS selector %s is not allowed. Only the customizable classes of the hosted UI can be styled.", sel)
			}
		}
		end := strings.IndexByte(body, '}')
		if end < 0 || strings.ContainsRune(body[:end], '{') {
			return invalidCSS()
		}
		rest = body[end+1:]
	}
}

// Unconfirmed: the message.
func invalidCSS() error {
	return cognito.New(cognito.InvalidParameter, "The CSS is not valid.")
}

// stripComments removes /* … */ comments; an unclosed one runs to the end.
func stripComments(css string) string {
	var b strings.Builder
	for {
		i := strings.Index(css, "/*")
		if i < 0 {
			b.WriteString(css)
			return b.String()
		}
		b.WriteString(css[:i])
		j := strings.Index(css[i+2:], "*/")
		if j < 0 {
			return b.String()
		}
		css = css[i+2+j+2:]
	}
}
