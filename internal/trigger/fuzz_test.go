package trigger

import (
	"strings"
	"testing"

	"github.com/cognate-idp/cognate/internal/cognito"
)

func FuzzDecodeOutput(f *testing.F) {
	for _, s := range []string{``, `null`, `{}`, `{"response":{"smsMessage":"x"}}`, `{"response":{"smsMessage":1}}`, `[`, `"s"`, "\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, output []byte) {
		var out CustomMessageEvent
		if err := decodeOutput(output, &out); err != nil && err.Code != cognito.InvalidLambdaResponse {
			t.Fatalf("decodeOutput(%q) = %v, want nil or InvalidLambdaResponse", output, err)
		}
	})
}

func FuzzAWSSDKVersion(f *testing.F) {
	for _, s := range []string{"", "aws-sdk-go-v2/1.30.0 os/linux", "aws-sdk-js/3.1", "Mozilla/5.0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ua string) {
		got := AWSSDKVersion(ua)
		if !strings.HasPrefix(got, "aws-sdk-") || strings.ContainsAny(got, " \"\\/\n") {
			t.Fatalf("AWSSDKVersion(%q) = %q", ua, got)
		}
	})
}
