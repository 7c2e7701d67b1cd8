package branding

import (
	"encoding/json"
	"strings"
	"testing"
)

func settingsOf(t *testing.T, doc string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSettingsCSS(t *testing.T) {
	const colours = `"components":{"primaryButton":{"lightMode":{"defaults":{"backgroundColor":"0972D3ff"}},"darkMode":{"defaults":{"backgroundColor":"539fe5"}}}},
		"componentClasses":{"input":{"borderRadius":4,"lightMode":{"defaults":{"borderColor":"red;}body{display:none"}}},"buttons":{"borderRadius":"8px"}}`
	for _, tc := range []struct {
		scheme, wantMode string
		want, not        []string
	}{
		{`"LIGHT"`, "LIGHT", []string{".submitButton-customizable{background-color:#0972d3ff}", ".inputField-customizable{border-radius:4px}"}, []string{"#539fe5", "@media", "red", "display", "8px"}},
		{`"DARK"`, "DARK", []string{".submitButton-customizable{background-color:#539fe5}"}, []string{"#0972d3ff", "@media"}},
		{`"DYNAMIC"`, "LIGHT", []string{"#0972d3ff}", "@media (prefers-color-scheme: dark){\n.submitButton-customizable{background-color:#539fe5}"}, nil},
	} {
		var b strings.Builder
		mode := settingsCSS(&b, settingsOf(t, `{"categories":{"global":{"colorSchemeMode":`+tc.scheme+`}},`+colours+`}`))
		css := b.String()
		if mode != tc.wantMode {
			t.Errorf("%s: assets of mode %s, want %s", tc.scheme, mode, tc.wantMode)
		}
		for _, w := range tc.want {
			if !strings.Contains(css, w) {
				t.Errorf("%s: CSS lacks %q:\n%s", tc.scheme, w, css)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(css, n) {
				t.Errorf("%s: CSS has %q:\n%s", tc.scheme, n, css)
			}
		}
	}
}

func TestPickAssets(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n")
	got := pickAssets([]assetDoc{
		{Category: "FORM_LOGO", ColorMode: "DARK", Extension: "PNG", Bytes: png},
		{Category: "FORM_LOGO", ColorMode: "LIGHT", Extension: "PNG", Bytes: png},
		{Category: "FAVICON_ICO", ColorMode: "DYNAMIC", Extension: "ICO", Bytes: []byte{0, 0, 1, 0}},
		{Category: "PAGE_BACKGROUND", ColorMode: "LIGHT", Extension: "PNG"}, // no bytes: a stored resource only
	}, "LIGHT")
	if len(got) != 2 || got[0].Category != "FORM_LOGO" || got[0].ColorMode != "LIGHT" || got[1].Category != "FAVICON_ICO" {
		t.Errorf("picked %+v", got)
	}
}
