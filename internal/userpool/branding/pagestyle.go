package branding

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/domains"
)

// PageStyle is how a pool's managed login pages look for one app client.
type PageStyle struct {
	// CSS goes in a <style> element after the pages' own rules: the
	// classic hosted UI's customization, or the rules made from a managed
	// login branding style. It holds no "<", so it cannot end the element.
	CSS string
	// Logo and Favicon are data: URLs of images, "" for none.
	Logo, Favicon string
	// Terms are the client's terms of use and privacy policy, which the
	// sign-up page links to (managed login only, as in Cognito).
	Terms []TermsLink
}

// TermsLink is a terms document as the sign-up page links to it.
type TermsLink struct {
	Label, URL string
}

// termsLabels are the documents the sign-up page links to, in order.
var termsLabels = [][2]string{{"terms-of-use", "Terms of use"}, {"privacy-policy", "Privacy policy"}}

// PageStyle returns the style of the managed login pages of pool poolID
// for client clientID ("" when the page has no client). Which settings
// apply follows the pool domain's managed login version, as in Cognito:
// version 1 (the classic hosted UI) shows the UI customization of the
// client or else the pool's, version 2 the client's managed login
// branding style. With none, the pages keep their own look.
func (s *Service) PageStyle(ctx context.Context, poolID, clientID string) (PageStyle, error) {
	var out PageStyle
	err := s.Store.View(ctx, func(tx store.Tx) error {
		version, err := domains.LoginVersion(tx, poolID)
		if err != nil {
			return err
		}
		if version == 2 {
			if err := termsLinks(tx, poolID, clientID, &out); err != nil {
				return err
			}
			return brandingStyle(tx, poolID, clientID, &out)
		}
		_, _, doc, found, err := uiFor(tx, poolID, clientID)
		if err != nil || !found {
			return err
		}
		out.CSS = safeCSS(doc.CSS)
		if len(doc.Image) > 0 {
			out.Logo = dataURL(imageTypes[doc.Ext], doc.Image)
		}
		return nil
	})
	return out, err
}

// brandingStyle fills out from the managed login branding style of a
// client; a client without one keeps the pages' own look.
func brandingStyle(tx store.Tx, poolID, clientID string, out *PageStyle) error {
	if clientID == "" {
		return nil
	}
	idx, err := tx.GetItem(poolID, core.BrandingByClientKind, clientID)
	if core.IsNotFound(err) {
		return nil
	} else if err != nil {
		return err
	}
	_, d, err := loadBranding(tx, poolID, string(idx.Data))
	if cognito.IsCode(err, cognito.ResourceNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	var css strings.Builder
	mode := "LIGHT"
	if !d.UseCognitoValue && len(d.Settings) > 0 {
		var settings map[string]any
		if json.Unmarshal(d.Settings, &settings) == nil {
			mode = settingsCSS(&css, settings)
		}
	}
	for _, a := range pickAssets(d.Assets, mode) {
		url := dataURL(assetTypes[a.Extension], a.Bytes)
		switch a.Category {
		case "FORM_LOGO":
			out.Logo = url
		case "FAVICON_ICO", "FAVICON_SVG":
			out.Favicon = url
		case "PAGE_BACKGROUND":
			fmt.Fprintf(&css, ".background-customizable{background-image:url(%q);background-size:cover}\n", url)
		}
	}
	out.CSS = safeCSS(css.String())
	return nil
}

// termsLinks adds the client's terms documents to out, each with its
// English link, else its default one, else the first by language.
//
// Unconfirmed: which language managed login picks; Cognate's pages are in
// English.
func termsLinks(tx store.Tx, poolID, clientID string, out *PageStyle) error {
	if clientID == "" {
		return nil
	}
	for _, t := range termsLabels {
		idx, err := tx.GetItem(poolID, core.TermsByClientKind, core.TermsIndexKey(clientID, t[0]))
		if core.IsNotFound(err) {
			continue
		} else if err != nil {
			return err
		}
		_, d, err := loadTerms(tx, poolID, string(idx.Data))
		if cognito.IsCode(err, cognito.ResourceNotFound) {
			continue
		} else if err != nil {
			return err
		}
		link := d.Links["cognito:english"]
		if link == "" {
			link = d.Links["cognito:default"]
		}
		if link == "" {
			for _, lang := range slices.Sorted(maps.Keys(d.Links)) {
				link = d.Links[lang]
				break
			}
		}
		if link != "" {
			out.Terms = append(out.Terms, TermsLink{Label: t[1], URL: link})
		}
	}
	return nil
}

// assetTypes are the media types of the asset extensions.
var assetTypes = map[string]string{"PNG": "image/png", "JPEG": "image/jpeg", "ICO": "image/x-icon", "WEBP": "image/webp", "SVG": "image/svg+xml"}

// pickAssets returns one asset per category: the one of the page's color
// mode ("LIGHT" or "DARK"), else a DYNAMIC one, else any.
func pickAssets(assets []assetDoc, mode string) []assetDoc {
	rank := func(a assetDoc) int {
		switch a.ColorMode {
		case mode:
			return 0
		case "DYNAMIC":
			return 1
		}
		return 2
	}
	best := map[string]assetDoc{}
	var order []string
	for _, a := range assets {
		if len(a.Bytes) == 0 || assetTypes[a.Extension] == "" {
			continue
		}
		b, seen := best[a.Category]
		if !seen {
			order = append(order, a.Category)
		}
		if !seen || rank(a) < rank(b) {
			best[a.Category] = a
		}
	}
	out := make([]assetDoc, 0, len(order))
	for _, c := range order {
		out = append(out, best[c])
	}
	return out
}

func dataURL(mediaType string, b []byte) string {
	return "data:" + mediaType + ";base64," + base64.StdEncoding.EncodeToString(b)
}

// safeCSS keeps a stylesheet from closing its <style> element: "<" is
// written as the CSS escape \3c, which means the same in a string and
// cannot appear anywhere else in valid CSS.
func safeCSS(css string) string {
	return strings.ReplaceAll(css, "<", `\3c `)
}
