package testserver

import (
	"os"
	"os/exec"
	"testing"
)

// Chromium returns the browser a test drives, skipping the test when there
// is none on a developer's machine. In CI (CI set) or with
// COGNATE_REQUIRE_BROWSER=1 a missing browser fails the test. COGNATE_CHROMIUM
// names one explicitly.
func Chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("COGNATE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" || os.Getenv("COGNATE_REQUIRE_BROWSER") != "" {
		t.Fatal("no Chromium found (apt-get install -y chromium, or set COGNATE_CHROMIUM): browser tests must run in CI")
	}
	t.Skip("no Chromium found (apt-get install -y chromium, or set COGNATE_CHROMIUM): skipping the browser test; CI runs it")
	return ""
}

// Artifacts is where a browser test keeps its screenshots:
// COGNATE_ARTIFACTS, else a temporary directory.
func Artifacts(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("COGNATE_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}
