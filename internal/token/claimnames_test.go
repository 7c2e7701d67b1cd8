package token

import (
	"errors"
	"testing"
)

func TestParseAccessClaimsExactNames(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		wantErr bool
	}{
		{"exact", `{"sub":"me","exp":10,"username":"me","x-custom":"ok"}`, false},
		{"case-folded claim", `{"sub":"me","Sub":"victim"}`, true},
		{"duplicate claim", `{"exp":10,"exp":99999999999}`, true},
		{"case-folded username", `{"username":"me","Username":"victim"}`, true},
		{"unknown members may repeat case", `{"foo":1,"Foo":2}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseAccessClaims([]byte(tt.payload))
			if tt.wantErr {
				if !errors.Is(err, ErrMalformed) {
					t.Errorf("err = %v (claims %+v), want ErrMalformed", err, c)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
