package branding

import (
	"strings"
	"testing"

	"github.com/cognate-idp/cognate/internal/cognito"
)

func TestCheckCSS(t *testing.T) {
	tests := []struct {
		name, css string
		ok        bool
	}{
		{"empty", "", true},
		{"one rule", ".banner-customizable { padding: 25px 0px; }", true},
		{"selector list", ".idpButton-customizable,.idpButton-customizable:hover{color:#fff}", true},
		{"comments anywhere", "/* head */ .logo-customizable /* mid */ { max-width: 60%; } /* tail", true},
		{"every listed class", func() string {
			var b strings.Builder
			for c := range cssClasses {
				b.WriteString(c + " { color: red }\n")
			}
			return b.String()
		}(), true},
		{"unknown class", ".banner { color: red }", false},
		{"descendant selector", ".banner-customizable .label-customizable { color: red }", false},
		{"id selector", "#banner-customizable { color: red }", false},
		{"empty selector", "{ color: red }", false},
		{"nested block", ".banner-customizable { .label-customizable { color: red } }", false},
		{"stray close", ".banner-customizable { color: red } }", false},
		{"text after the rules", ".banner-customizable { color: red } color: blue;", false},
		{"font-face", "@font-face { font-family: x }", false},
		{"expression", ".banner-customizable { width: expression(alert(1)) }", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkCSS(tc.css)
			if tc.ok && err != nil {
				t.Fatalf("checkCSS = %v, want nil", err)
			}
			if !tc.ok && !cognito.IsCode(err, cognito.InvalidParameter) {
				t.Fatalf("checkCSS = %v, want InvalidParameterException", err)
			}
		})
	}
}

// FuzzCheckCSS requires checkCSS to answer every input with nil or an
// InvalidParameterException, and to accept only stylesheets whose every
// selector is a customizable class.
func FuzzCheckCSS(f *testing.F) {
	for _, seed := range []string{"", ".banner-customizable{}", "/*", "{}", "}{", "@media x { .a {} }", ".label-customizable{color:red}/**/.x{"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, css string) {
		err := checkCSS(css)
		if err != nil {
			if !cognito.IsCode(err, cognito.InvalidParameter) {
				t.Fatalf("checkCSS(%q) = %v, want InvalidParameterException", css, err)
			}
			return
		}
		rest := stripComments(css)
		for strings.TrimSpace(rest) != "" {
			head, body, ok := strings.Cut(rest, "{")
			if !ok {
				t.Fatalf("accepted %q: text outside a rule", css)
			}
			for _, sel := range strings.Split(head, ",") {
				if !cssClasses[strings.Join(strings.Fields(sel), " ")] {
					t.Fatalf("accepted %q: selector %q", css, sel)
				}
			}
			_, rest, _ = strings.Cut(body, "}")
		}
	})
}

func TestIsFileType(t *testing.T) {
	tests := []struct {
		ext  string
		b    string
		want bool
	}{
		{"PNG", "\x89PNG\r\n\x1a\n....", true},
		{"PNG", "\xff\xd8\xff\xe0", false},
		{"JPEG", "\xff\xd8\xff\xe0", true},
		{"ICO", "\x00\x00\x01\x00\x01", true},
		{"ICO", "\x00\x00\x02\x00", false},
		{"WEBP", "RIFF\x00\x00\x00\x00WEBPVP8 ", true},
		{"WEBP", "RIFF\x00\x00\x00\x00WAVE", false},
		{"SVG", "  <?xml version=\"1.0\"?><svg/>", true},
		{"SVG", "\ufeff<svg xmlns=\"http://www.w3.org/2000/svg\"/>", true},
		{"SVG", "<html></html>", false},
		{"GIF", "GIF89a", false},
	}
	for _, tc := range tests {
		if got := isFileType([]byte(tc.b), tc.ext); got != tc.want {
			t.Errorf("isFileType(%q, %s) = %v, want %v", tc.b, tc.ext, got, tc.want)
		}
	}
}
