package tokens

import (
	"encoding/json"
	"testing"
)

func TestIdentitiesClaim(t *testing.T) {
	attr := `[{"userId":"s-1","providerName":"Corp","providerType":"OIDC","issuer":null,"primary":true,"dateCreated":1700000000123}]`
	buf, err := json.Marshal(identitiesClaim(attr))
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"dateCreated":"1700000000123","userId":"s-1","providerName":"Corp","providerType":"OIDC","issuer":null,"primary":"true"}]`
	if string(buf) != want {
		t.Errorf("claim = %s, want %s", buf, want)
	}
	if got := identitiesClaim("not json"); got != "not json" {
		t.Errorf("claim of a bad value = %#v, want the value", got)
	}
}
