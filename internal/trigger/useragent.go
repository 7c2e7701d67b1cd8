package trigger

import "strings"

// unknownSDK is what Cognito reports for callers that are not an AWS SDK
// (console, hosted UI, curl).
const unknownSDK = "aws-sdk-unknown-unknown"

// AWSSDKVersion derives callerContext.awsSdkVersion from a User-Agent: the
// first "aws-sdk-<name>/<version>" product becomes "aws-sdk-<name>-<version>"
// ("aws-sdk-go-v2/1.30.0 os/linux ..." → "aws-sdk-go-v2-1.30.0",
// "aws-sdk-js/3.540.0 ua/2.0 ..." → "aws-sdk-js-3.540.0"). Anything else
// gives "aws-sdk-unknown-unknown".
func AWSSDKVersion(userAgent string) string {
	for _, product := range strings.Fields(userAgent) {
		name, version, ok := strings.Cut(product, "/")
		if !ok || !strings.HasPrefix(strings.ToLower(name), "aws-sdk-") {
			continue
		}
		if !validToken(name[len("aws-sdk-"):]) || !validToken(version) {
			continue
		}
		return strings.ToLower(name) + "-" + version
	}
	return unknownSDK
}

// validToken accepts non-empty SDK names and versions made of letters,
// digits, '.', '-', '_' and '+', so a crafted User-Agent cannot inject
// arbitrary text into the event.
func validToken(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case r == '.', r == '-', r == '_', r == '+':
		default:
			return false
		}
	}
	return true
}
