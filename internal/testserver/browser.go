package testserver

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
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

// Browser drives one headless Chromium tab for a test; its screenshots go
// to Artifacts(t), named with the prefix given to NewBrowser.
type Browser struct {
	t      testing.TB
	Ctx    context.Context
	Dir    string
	prefix string
}

// NewBrowser starts Chromium (see Chromium) with a 1200×860 window; the
// tab's actions share a two-minute deadline and the browser closes when
// the test ends.
func NewBrowser(t testing.TB, prefix string) *Browser {
	t.Helper()
	path := Chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.WindowSize(1200, 860), chromedp.Flag("disable-dev-shm-usage", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tab, cancelTab := chromedp.NewContext(actx)
	// The first call starts the browser and must not have a deadline.
	if err := chromedp.Do(tab); err != nil {
		cancelTab()
		cancelAlloc()
		t.Fatalf("start Chromium %s: %v", path, err)
	}
	ctx, cancelTime := context.WithTimeout(tab, 2*time.Minute)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	b := &Browser{t: t, Ctx: ctx, Dir: Artifacts(t), prefix: prefix}
	t.Logf("screenshots in %s", b.Dir)
	return b
}

// Run runs actions, failing the test (with a screenshot) when one fails.
func (b *Browser) Run(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.Ctx, actions...); err != nil {
		b.Shot("failed")
		b.t.Fatalf("%s: %v", what, err)
	}
}

// Shot writes a PNG of the whole page as <prefix><name>.png.
func (b *Browser) Shot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.Ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(b.Dir, b.prefix+name+".png"), png, 0o644); err != nil {
		b.t.Error(err)
	}
}

// ShotAction is Shot as an action, to take a screenshot in the middle
// of a sequence of actions.
func (b *Browser) ShotAction(name string) chromedp.Action[chromedp.Void] {
	return func(context.Context, *chromedp.Target) (chromedp.Void, error) {
		b.Shot(name)
		return chromedp.Void{}, nil
	}
}

// Text returns the text of the first element matching sel.
func (b *Browser) Text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.Ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.Shot("failed")
		b.t.Fatalf("read %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// Eval returns the value of a JavaScript expression on the page.
func (b *Browser) Eval(expr string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		b.Shot("failed")
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// WaitFor polls a JavaScript condition until it holds (10 s at most).
func (b *Browser) WaitFor(what, expr string) {
	b.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if ok, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](expr)); err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			b.Shot("failed")
			b.t.Fatalf("waited 10 s for %s (%s)", what, expr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
