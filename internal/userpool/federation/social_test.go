package federation

import "testing"

func TestUpstreamPrompt(t *testing.T) {
	for _, tc := range []struct{ typ, prompt, want string }{
		{"OIDC", "login consent", "login consent"},
		{"Google", "login", ""},
		{"Google", "login select_account", "select_account"},
		{"Google", "none", "none"},
		{"SignInWithApple", "select_account", ""},
		{"Facebook", "consent", ""},
	} {
		if got := kinds[tc.typ].prompt(tc.prompt); got != tc.want {
			t.Errorf("kinds[%s].prompt(%q) = %q, want %q", tc.typ, tc.prompt, got, tc.want)
		}
	}
}

// TestProfileURL: the fields asked for are the user ID and the mapped
// claims, each escaped so that a claim name cannot add parameters.
func TestProfileURL(t *testing.T) {
	up := &Upstream{Type: "Facebook", Details: map[string]string{"attributes_url": "https://graph.example/me?fields=", "attributes_url_add_attributes": "true"},
		Mapping: map[string]string{"username": "id", "email": "email", "name": "name&redirect=x"}}
	if got, want := profileURL(up), "https://graph.example/me?fields=id,email,name%26redirect%3Dx"; got != want {
		t.Errorf("profileURL = %s, want %s", got, want)
	}
	up.Details["attributes_url_add_attributes"] = "false"
	if got := profileURL(up); got != "https://graph.example/me?fields=" {
		t.Errorf("without add_attributes: %s", got)
	}
}

// TestRedefault: an update's new api_version moves the URLs that were
// defaults, and leaves those the administrator set.
func TestRedefault(t *testing.T) {
	old := withDefaults("Facebook", map[string]string{"client_id": "c", "token_url": "https://fb.example/token"})
	given := map[string]string{"api_version": "v20.0"}
	merged := map[string]string{}
	for k, v := range old {
		merged[k] = v
	}
	for k, v := range given {
		merged[k] = v
	}
	got := redefault("Facebook", old, merged, given)
	if got["authorize_url"] != "https://www.facebook.com/v20.0/dialog/oauth" || got["attributes_url"] != "https://graph.facebook.com/v20.0/me?fields=" {
		t.Errorf("default URLs after the update: %v", got)
	}
	if got["token_url"] != "https://fb.example/token" || got["client_id"] != "c" {
		t.Errorf("set values after the update: %v", got)
	}
}
