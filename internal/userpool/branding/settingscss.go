package branding

import (
	"fmt"
	"io"
	"strings"
)

// settingsRule turns settings of a managed login branding style into one
// CSS rule. Paths are dotted keys of the settings document; "{mode}"
// stands for lightMode or darkMode.
type settingsRule struct {
	selector string
	decls    [][2]string // CSS property, settings path
}

// settingsRules are the branding settings the pages apply: the colours
// and corner radii of the page, the form, buttons, inputs, labels, links,
// text and error messages. The other settings (layout, header, footer,
// language selector, text content) are stored and returned but do not
// change the pages.
var settingsRules = []settingsRule{
	{".background-customizable", [][2]string{{"background-color", "components.pageBackground.{mode}.color"},
		{"color", "componentClasses.text.{mode}.bodyTextColor"}}},
	{"main", [][2]string{{"background-color", "components.form.{mode}.backgroundColor"},
		{"border-color", "components.form.{mode}.borderColor"}, {"border-radius", "components.form.borderRadius"}}},
	{"h1", [][2]string{{"color", "componentClasses.text.{mode}.headingTextColor"}}},
	{".submitButton-customizable", [][2]string{{"background-color", "components.primaryButton.{mode}.defaults.backgroundColor"},
		{"color", "components.primaryButton.{mode}.defaults.textColor"}, {"border-radius", "componentClasses.buttons.borderRadius"}}},
	{".submitButton-customizable:hover", [][2]string{{"background-color", "components.primaryButton.{mode}.hover.backgroundColor"},
		{"color", "components.primaryButton.{mode}.hover.textColor"}}},
	{".inputField-customizable", [][2]string{{"background-color", "componentClasses.input.{mode}.defaults.backgroundColor"},
		{"border-color", "componentClasses.input.{mode}.defaults.borderColor"}, {"border-radius", "componentClasses.input.borderRadius"}}},
	{".inputField-customizable:focus", [][2]string{{"outline-color", "componentClasses.focusState.{mode}.borderColor"}}},
	{".label-customizable", [][2]string{{"color", "componentClasses.inputLabel.{mode}.textColor"}}},
	{".textDescription-customizable", [][2]string{{"color", "componentClasses.inputDescription.{mode}.textColor"}}},
	{".redirect-customizable", [][2]string{{"color", "componentClasses.link.{mode}.defaults.textColor"}}},
	{".redirect-customizable:hover", [][2]string{{"color", "componentClasses.link.{mode}.hover.textColor"}}},
	{".errorMessage-customizable", [][2]string{{"background-color", "componentClasses.statusIndicator.{mode}.error.backgroundColor"},
		{"border-color", "componentClasses.statusIndicator.{mode}.error.borderColor"},
		{"color", "componentClasses.statusIndicator.{mode}.error.indicatorColor"}}},
}

// settingsCSS writes the rules of a branding style's settings to w and
// returns the colour mode whose assets the page shows. The colour scheme
// (categories.global.colorSchemeMode) picks the light or the dark values;
// DYNAMIC writes both, the dark ones for browsers that prefer dark.
// Values that are not colours (RRGGBB or RRGGBBAA hex, as the branding
// editor writes them) or radii (numbers of pixels) are skipped, so
// nothing from the settings reaches the page but a colour or a number.
func settingsCSS(w io.Writer, settings map[string]any) string {
	scheme, _ := lookup(settings, "categories.global.colorSchemeMode").(string)
	switch scheme {
	case "DARK":
		writeRules(w, settings, "darkMode")
		return "DARK"
	case "DYNAMIC":
		writeRules(w, settings, "lightMode")
		fmt.Fprint(w, "@media (prefers-color-scheme: dark){\n")
		writeRules(w, settings, "darkMode")
		fmt.Fprint(w, "}\n")
		return "LIGHT"
	}
	writeRules(w, settings, "lightMode")
	return "LIGHT"
}

func writeRules(w io.Writer, settings map[string]any, mode string) {
	for _, r := range settingsRules {
		var decls []string
		for _, d := range r.decls {
			if v, ok := cssValue(d[0], lookup(settings, strings.ReplaceAll(d[1], "{mode}", mode))); ok {
				decls = append(decls, d[0]+":"+v)
			}
		}
		if len(decls) > 0 {
			fmt.Fprintf(w, "%s{%s}\n", r.selector, strings.Join(decls, ";"))
		}
	}
}

// lookup returns the value at a dotted path of a JSON document, nil when
// there is none.
func lookup(doc map[string]any, path string) any {
	var cur any = doc
	for _, k := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[k]
	}
	return cur
}

// cssValue renders a settings value for a property: a radius from a
// number of pixels, any other property from a hex colour.
func cssValue(prop string, v any) (string, bool) {
	if prop == "border-radius" {
		n, ok := v.(float64)
		if !ok || n < 0 || n > 1000 {
			return "", false
		}
		return fmt.Sprintf("%gpx", n), true
	}
	s, ok := v.(string)
	if !ok || len(s) != 6 && len(s) != 8 {
		return "", false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return "", false
		}
	}
	return "#" + strings.ToLower(s), true
}
