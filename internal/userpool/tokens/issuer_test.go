package tokens

import (
	"testing"

	"github.com/cognate-idp/cognate/internal/userpool/core"
)

func TestIsIssuer(t *testing.T) {
	s := &Service{Env: &core.Env{PublicURL: "http://127.0.0.1:9229"}}
	for _, tc := range []struct {
		iss, pool string
		want      bool
	}{
		{s.Issuer("us-east-1_abc"), "us-east-1_abc", true},
		{s.Issuer("us-east-1_abc"), "us-east-1_ab", false},
		{s.Issuer("us-east-1_ab"), "us-east-1_abc", false},
		{"http://127.0.0.1:9229us-east-1_abc", "us-east-1_abc", false},
		{"http://127.0.0.1:9229/us-east-1_abc/", "us-east-1_abc", false},
		{"https://127.0.0.1:9229/us-east-1_abc", "us-east-1_abc", false},
		{"http://127.0.0.1:9229/", "", true},
		{"", "us-east-1_abc", false},
	} {
		if got := s.isIssuer(tc.iss, tc.pool); got != tc.want {
			t.Errorf("isIssuer(%q, %q) = %v, want %v", tc.iss, tc.pool, got, tc.want)
		}
	}
}
