package oauth

import "testing"

func TestHostPrefix(t *testing.T) {
	for host, want := range map[string]string{
		"my-app.auth.us-east-1.amazoncognito.com": "my-app",
		"my-app.auth.us-east-1.localhost:9229":    "my-app",
		"My-App.AUTH.localhost":                   "my-app",
		"127.0.0.1:9229":                          "",
		"localhost":                               "",
		"auth.example.com":                        "",
		".auth.example.com":                       "",
		"my-app.login.example.com":                "",
		"[::1]:9229":                              "",
	} {
		got, ok := hostPrefix(host)
		if got != want || ok != (want != "") {
			t.Errorf("hostPrefix(%q) = %q, %v; want %q", host, got, ok, want)
		}
	}
}
