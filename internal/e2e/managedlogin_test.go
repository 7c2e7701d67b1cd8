package e2e

import (
	"context"
	"errors"
	"reflect"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/document"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/testserver"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

const sourceMsg = "useCognitoProvidedValues or settings should be specified (but not both)"

func brandingSettings(t *testing.T, b *types.ManagedLoginBrandingType) map[string]any {
	t.Helper()
	if b.Settings == nil {
		return nil
	}
	var m map[string]any
	if err := b.Settings.UnmarshalSmithyDocument(&m); err != nil {
		t.Fatalf("Settings: %v", err)
	}
	return m
}

func TestManagedLoginBranding(t *testing.T) {
	e := newEnv(t, nil, nil)
	ctx := context.Background()
	pool := aws.String(e.pool)
	byClient := func(clientID string) (*types.ManagedLoginBrandingType, error) {
		out, err := e.s.Client.DescribeManagedLoginBrandingByClient(ctx, &cip.DescribeManagedLoginBrandingByClientInput{UserPoolId: pool, ClientId: aws.String(clientID)})
		if err != nil {
			return nil, err
		}
		return out.ManagedLoginBranding, nil
	}
	byID := func(id string) (*types.ManagedLoginBrandingType, error) {
		out, err := e.s.Client.DescribeManagedLoginBranding(ctx, &cip.DescribeManagedLoginBrandingInput{UserPoolId: pool, ManagedLoginBrandingId: aws.String(id), ReturnMergedResources: true})
		if err != nil {
			return nil, err
		}
		return out.ManagedLoginBranding, nil
	}

	t.Run("a client without one", func(t *testing.T) {
		_, err := byClient(e.client)
		testserver.WantError[*types.ResourceNotFoundException](t, err, "ManagedLoginBranding for client "+e.client+" does not exist.")
	})

	var id string
	t.Run("create with Cognito's values", func(t *testing.T) {
		out, err := e.s.Client.CreateManagedLoginBranding(ctx, &cip.CreateManagedLoginBrandingInput{UserPoolId: pool, ClientId: aws.String(e.client), UseCognitoProvidedValues: true})
		noErr(t, err)
		b := out.ManagedLoginBranding
		id = aws.ToString(b.ManagedLoginBrandingId)
		if !uuidV4.MatchString(id) || aws.ToString(b.UserPoolId) != e.pool || !b.UseCognitoProvidedValues ||
			b.Settings != nil || b.Assets == nil || len(b.Assets) != 0 || b.CreationDate == nil || b.LastModifiedDate == nil {
			t.Fatalf("Create = %+v, want a v4 UUID, the pool, Cognito's values, no settings, an empty asset list and times", b)
		}
	})
	t.Run("one per client", func(t *testing.T) {
		_, err := e.s.Client.CreateManagedLoginBranding(ctx, &cip.CreateManagedLoginBrandingInput{UserPoolId: pool, ClientId: aws.String(e.client),
			Settings: document.NewLazyDocument(map[string]any{})})
		testserver.WantError[*types.ManagedLoginBrandingExistsException](t, err, "A ManagedLoginBranding already exists for client "+e.client)
	})
	t.Run("describe by ID and by client", func(t *testing.T) {
		a, err := byID(id)
		noErr(t, err)
		b, err := byClient(e.client)
		noErr(t, err)
		if aws.ToString(a.ManagedLoginBrandingId) != id || aws.ToString(b.ManagedLoginBrandingId) != id || !a.UseCognitoProvidedValues {
			t.Fatalf("Describe = %+v and %+v, want branding %s", a, b, id)
		}
	})

	settings := map[string]any{"components": map[string]any{"pageBackground": map[string]any{"lightMode": map[string]any{"color": "ffffffff"}}}}
	logo := types.AssetType{Category: types.AssetCategoryTypePageHeaderLogo, ColorMode: types.ColorSchemeModeTypeLight,
		Extension: types.AssetExtensionTypePng, Bytes: pngLogo, ResourceId: aws.String("header-logo")}
	t.Run("update sets settings and assets", func(t *testing.T) {
		out, err := e.s.Client.UpdateManagedLoginBranding(ctx, &cip.UpdateManagedLoginBrandingInput{UserPoolId: pool, ManagedLoginBrandingId: aws.String(id),
			Settings: document.NewLazyDocument(settings), Assets: []types.AssetType{logo}})
		noErr(t, err)
		for _, b := range []*types.ManagedLoginBrandingType{out.ManagedLoginBranding, mustBranding(t)(byID(id))} {
			if b.UseCognitoProvidedValues || !reflect.DeepEqual(brandingSettings(t, b), settings) || len(b.Assets) != 1 ||
				!reflect.DeepEqual(b.Assets[0].Bytes, pngLogo) || aws.ToString(b.Assets[0].ResourceId) != "header-logo" || b.Assets[0].Category != logo.Category {
				t.Fatalf("after update: %+v (settings %v), want the settings and the logo", b, brandingSettings(t, b))
			}
		}
	})
	t.Run("update without assets keeps them", func(t *testing.T) {
		other := map[string]any{"components": map[string]any{}}
		_, err := e.s.Client.UpdateManagedLoginBranding(ctx, &cip.UpdateManagedLoginBrandingInput{UserPoolId: pool, ManagedLoginBrandingId: aws.String(id),
			Settings: document.NewLazyDocument(other)})
		noErr(t, err)
		b := mustBranding(t)(byClient(e.client))
		if !reflect.DeepEqual(brandingSettings(t, b), other) || len(b.Assets) != 1 {
			t.Fatalf("after update: settings %v, %d assets; want the new settings and the kept logo", brandingSettings(t, b), len(b.Assets))
		}
	})
	t.Run("back to Cognito's values drops the settings", func(t *testing.T) {
		_, err := e.s.Client.UpdateManagedLoginBranding(ctx, &cip.UpdateManagedLoginBrandingInput{UserPoolId: pool, ManagedLoginBrandingId: aws.String(id), UseCognitoProvidedValues: true})
		noErr(t, err)
		b := mustBranding(t)(byID(id))
		if !b.UseCognitoProvidedValues || b.Settings != nil {
			t.Fatalf("after update: %+v, want Cognito's values and no settings", b)
		}
	})

	other := e.s.AppClient(t, e.pool, nil)
	invalid := []struct {
		name string
		in   cip.CreateManagedLoginBrandingInput
		msg  string
	}{
		{"neither source", cip.CreateManagedLoginBrandingInput{}, sourceMsg},
		{"both sources", cip.CreateManagedLoginBrandingInput{UseCognitoProvidedValues: true, Settings: document.NewLazyDocument(settings)}, sourceMsg},
		{"assets alone", cip.CreateManagedLoginBrandingInput{Assets: []types.AssetType{logo}}, sourceMsg},
		{"settings not an object", cip.CreateManagedLoginBrandingInput{Settings: document.NewLazyDocument([]string{"a"})}, "Settings must be a JSON object."},
		{"favicon of the wrong type", cip.CreateManagedLoginBrandingInput{UseCognitoProvidedValues: true, Assets: []types.AssetType{{
			Category: types.AssetCategoryTypeFaviconIco, ColorMode: types.ColorSchemeModeTypeDynamic, Extension: types.AssetExtensionTypePng, Bytes: pngLogo}}},
			"Asset category FAVICON_ICO requires extension ICO."},
		{"bytes not of the extension", cip.CreateManagedLoginBrandingInput{UseCognitoProvidedValues: true, Assets: []types.AssetType{{
			Category: types.AssetCategoryTypeFormLogo, ColorMode: types.ColorSchemeModeTypeDark, Extension: types.AssetExtensionTypeSvg, Bytes: pngLogo}}},
			"Asset FORM_LOGO DARK is not a valid SVG file."},
		{"no bytes", cip.CreateManagedLoginBrandingInput{UseCognitoProvidedValues: true, Assets: []types.AssetType{{
			Category: types.AssetCategoryTypeFormLogo, ColorMode: types.ColorSchemeModeTypeDark, Extension: types.AssetExtensionTypeSvg}}},
			"Asset FORM_LOGO DARK has no bytes."},
		{"two for one category and mode", cip.CreateManagedLoginBrandingInput{UseCognitoProvidedValues: true, Assets: []types.AssetType{logo, logo}},
			"Only one asset is allowed for category PAGE_HEADER_LOGO and color mode LIGHT."},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.UserPoolId, in.ClientId = pool, aws.String(other)
			_, err := e.s.Client.CreateManagedLoginBranding(ctx, &in)
			testserver.WantError[*types.InvalidParameterException](t, err, tc.msg)
			_, err = byClient(other)
			testserver.WantError[*types.ResourceNotFoundException](t, err, "ManagedLoginBranding for client "+other+" does not exist.")
		})
	}
	t.Run("update needs a source too", func(t *testing.T) {
		_, err := e.s.Client.UpdateManagedLoginBranding(ctx, &cip.UpdateManagedLoginBrandingInput{UserPoolId: pool, ManagedLoginBrandingId: aws.String(id), Assets: []types.AssetType{logo}})
		testserver.WantError[*types.InvalidParameterException](t, err, sourceMsg)
	})
	t.Run("svg, ico and webp assets", func(t *testing.T) {
		assets := []types.AssetType{
			{Category: types.AssetCategoryTypeFaviconSvg, ColorMode: types.ColorSchemeModeTypeDynamic, Extension: types.AssetExtensionTypeSvg, Bytes: []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)},
			{Category: types.AssetCategoryTypeFaviconIco, ColorMode: types.ColorSchemeModeTypeDynamic, Extension: types.AssetExtensionTypeIco, Bytes: []byte{0, 0, 1, 0, 1, 0}},
			{Category: types.AssetCategoryTypePageBackground, ColorMode: types.ColorSchemeModeTypeDark, Extension: types.AssetExtensionTypeWebp, Bytes: []byte("RIFF\x10\x00\x00\x00WEBPVP8 ")},
			{Category: types.AssetCategoryTypePageBackground, ColorMode: types.ColorSchemeModeTypeLight, Extension: types.AssetExtensionTypeJpeg, Bytes: jpegLogo},
		}
		out, err := e.s.Client.CreateManagedLoginBranding(ctx, &cip.CreateManagedLoginBrandingInput{UserPoolId: pool, ClientId: aws.String(other), UseCognitoProvidedValues: true, Assets: assets})
		noErr(t, err)
		if got := out.ManagedLoginBranding.Assets; len(got) != 4 || got[2].Extension != types.AssetExtensionTypeWebp {
			t.Fatalf("Assets = %+v, want the four given", got)
		}
	})

	t.Run("delete", func(t *testing.T) {
		_, err := e.s.Client.DeleteManagedLoginBranding(ctx, &cip.DeleteManagedLoginBrandingInput{UserPoolId: pool, ManagedLoginBrandingId: aws.String(id)})
		noErr(t, err)
		_, err = byID(id)
		testserver.WantError[*types.ResourceNotFoundException](t, err, "ManagedLoginBranding does not exist.")
		_, err = byClient(e.client)
		testserver.WantError[*types.ResourceNotFoundException](t, err, "ManagedLoginBranding for client "+e.client+" does not exist.")
		_, err = e.s.Client.DeleteManagedLoginBranding(ctx, &cip.DeleteManagedLoginBrandingInput{UserPoolId: pool, ManagedLoginBrandingId: aws.String(id)})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "ManagedLoginBranding does not exist.")
		_, err = e.s.Client.CreateManagedLoginBranding(ctx, &cip.CreateManagedLoginBrandingInput{UserPoolId: pool, ClientId: aws.String(e.client), UseCognitoProvidedValues: true})
		noErr(t, err)
	})
	t.Run("deleting the client drops its branding", func(t *testing.T) {
		b := mustBranding(t)(byClient(other))
		_, err := e.s.Client.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: pool, ClientId: aws.String(other)})
		noErr(t, err)
		_, err = byID(aws.ToString(b.ManagedLoginBrandingId))
		testserver.WantError[*types.ResourceNotFoundException](t, err, "ManagedLoginBranding does not exist.")
		err = e.s.App.Store.View(ctx, func(tx store.Tx) error {
			_, err := tx.GetItem(e.pool, core.BrandingByClientKind, other)
			return err
		})
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("branding index of deleted client: got %v, want ErrNotFound", err)
		}
	})

	t.Run("unknown pool, client and ID", func(t *testing.T) {
		_, err := e.s.Client.CreateManagedLoginBranding(ctx, &cip.CreateManagedLoginBrandingInput{UserPoolId: aws.String("us-east-1_Nope"), ClientId: aws.String(e.client), UseCognitoProvidedValues: true})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool us-east-1_Nope does not exist.")
		_, err = e.s.Client.CreateManagedLoginBranding(ctx, &cip.CreateManagedLoginBrandingInput{UserPoolId: pool, ClientId: aws.String("nope"), UseCognitoProvidedValues: true})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool client nope does not exist.")
		_, err = byClient("nope")
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool client nope does not exist.")
		_, err = byID("7f0b6a4e-2c1d-4e8f-9a3b-5d6c7e8f9a0b")
		testserver.WantError[*types.ResourceNotFoundException](t, err, "ManagedLoginBranding does not exist.")
		_, err = e.s.Client.UpdateManagedLoginBranding(ctx, &cip.UpdateManagedLoginBrandingInput{UserPoolId: pool, ManagedLoginBrandingId: aws.String("7f0b6a4e-2c1d-4e8f-9a3b-5d6c7e8f9a0b"), UseCognitoProvidedValues: true})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "ManagedLoginBranding does not exist.")
		_, err = byID("not-a-uuid")
		var ipe *types.InvalidParameterException
		if !errors.As(err, &ipe) {
			t.Fatalf("Describe(not-a-uuid) = %v, want InvalidParameterException", err)
		}
	})
}

// mustBranding returns a function that passes a Describe answer through
// and fails t on its error.
func mustBranding(t *testing.T) func(*types.ManagedLoginBrandingType, error) *types.ManagedLoginBrandingType {
	return func(b *types.ManagedLoginBrandingType, err error) *types.ManagedLoginBrandingType {
		t.Helper()
		noErr(t, err)
		return b
	}
}
