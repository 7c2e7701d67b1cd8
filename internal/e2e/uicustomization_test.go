package e2e

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/testserver"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

var (
	pngLogo  = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	jpegLogo = []byte{0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F'}
)

const poolCSS = ".banner-customizable { background-color: #3E4B5D; }\n/* a comment { } */\n.submitButton-customizable, .submitButton-customizable:hover { color: #fff; }"

func getUI(t *testing.T, e *env, clientID string) *types.UICustomizationType {
	t.Helper()
	in := &cip.GetUICustomizationInput{UserPoolId: aws.String(e.pool)}
	if clientID != "" {
		in.ClientId = aws.String(clientID)
	}
	out, err := e.s.Client.GetUICustomization(context.Background(), in)
	noErr(t, err)
	return out.UICustomization
}

// wantUI checks the IDs, CSS and image of got and that its times and
// version are set.
func wantUI(t *testing.T, got *types.UICustomizationType, poolID, clientID, css, ext string) {
	t.Helper()
	if aws.ToString(got.UserPoolId) != poolID || aws.ToString(got.ClientId) != clientID {
		t.Errorf("IDs = %q/%q, want %q/%q", aws.ToString(got.UserPoolId), aws.ToString(got.ClientId), poolID, clientID)
	}
	if aws.ToString(got.CSS) != css {
		t.Errorf("CSS = %q, want %q", aws.ToString(got.CSS), css)
	}
	if url := aws.ToString(got.ImageUrl); ext == "" && url != "" || ext != "" && !strings.HasSuffix(url, "/"+clientID+"/"+aws.ToString(got.CSSVersion)+"/assets/images/image."+ext) {
		t.Errorf("ImageUrl = %q, want one ending in the client, version and .%s", url, ext)
	}
	if got.CSSVersion == nil || got.CreationDate == nil || got.LastModifiedDate == nil || time.Since(*got.LastModifiedDate) > time.Minute {
		t.Errorf("CSSVersion, CreationDate, LastModifiedDate = %v, %v, %v; want all set, recent", aws.ToString(got.CSSVersion), got.CreationDate, got.LastModifiedDate)
	}
}

func TestUICustomization(t *testing.T) {
	e := newEnv(t, nil, nil)
	ctx := context.Background()
	set := func(clientID, css string, img []byte) (*types.UICustomizationType, error) {
		in := &cip.SetUICustomizationInput{UserPoolId: aws.String(e.pool), ImageFile: img}
		if clientID != "" {
			in.ClientId = aws.String(clientID)
		}
		if css != "" {
			in.CSS = aws.String(css)
		}
		out, err := e.s.Client.SetUICustomization(ctx, in)
		if err != nil {
			return nil, err
		}
		return out.UICustomization, nil
	}

	t.Run("default holds only the IDs", func(t *testing.T) {
		got := getUI(t, e, "")
		if aws.ToString(got.ClientId) != "ALL" || got.CSS != nil || got.ImageUrl != nil || got.CSSVersion != nil {
			t.Fatalf("Get = %+v, want only the pool ID and ClientId ALL", got)
		}
		got = getUI(t, e, e.client)
		if aws.ToString(got.ClientId) != e.client || got.CSS != nil || got.LastModifiedDate != nil {
			t.Fatalf("Get(client) = %+v, want only the IDs", got)
		}
	})
	t.Run("pool round trip", func(t *testing.T) {
		got, err := set("", poolCSS, pngLogo)
		noErr(t, err)
		wantUI(t, got, e.pool, "ALL", poolCSS, "png")
		wantUI(t, getUI(t, e, ""), e.pool, "ALL", poolCSS, "png")
		wantUI(t, getUI(t, e, "ALL"), e.pool, "ALL", poolCSS, "png")
	})
	t.Run("client falls back on the pool's", func(t *testing.T) {
		wantUI(t, getUI(t, e, e.client), e.pool, "ALL", poolCSS, "png")
	})
	const clientCSS = ".label-customizable { font-weight: 400; }"
	t.Run("client round trip", func(t *testing.T) {
		got, err := set(e.client, clientCSS, jpegLogo)
		noErr(t, err)
		wantUI(t, got, e.pool, e.client, clientCSS, "jpg")
		wantUI(t, getUI(t, e, e.client), e.pool, e.client, clientCSS, "jpg")
		wantUI(t, getUI(t, e, ""), e.pool, "ALL", poolCSS, "png")
	})
	t.Run("set replaces both parts", func(t *testing.T) {
		first := getUI(t, e, "")
		got, err := set("ALL", poolCSS, nil)
		noErr(t, err)
		wantUI(t, got, e.pool, "ALL", poolCSS, "")
		if !got.CreationDate.Equal(*first.CreationDate) {
			t.Errorf("CreationDate = %v, want it kept: %v", got.CreationDate, first.CreationDate)
		}
	})
	t.Run("an empty set makes the client fall back again", func(t *testing.T) {
		got, err := set(e.client, "", nil)
		noErr(t, err)
		if aws.ToString(got.ClientId) != e.client || got.CSS != nil {
			t.Fatalf("Set(empty) = %+v, want only the IDs", got)
		}
		wantUI(t, getUI(t, e, e.client), e.pool, "ALL", poolCSS, "")
	})
	t.Run("deleting the client drops its customization", func(t *testing.T) {
		c := e.s.AppClient(t, e.pool, nil)
		_, err := set(c, clientCSS, nil)
		noErr(t, err)
		_, err = e.s.Client.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: aws.String(e.pool), ClientId: aws.String(c)})
		noErr(t, err)
		err = e.s.App.Store.View(ctx, func(tx store.Tx) error {
			_, err := tx.GetItem(e.pool, core.UICustomizationKind, c)
			return err
		})
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("UI customization item of deleted client: got %v, want ErrNotFound", err)
		}
	})

	invalid := []struct {
		name, css string
		img       []byte
		msg       string
	}{
		{"unknown class", ".banner-customizable{color:red} .myClass { color: red; }", nil,
			"The CSS selector .myClass is not allowed. Only the customizable classes of the hosted UI can be styled."},
		{"element selector", "body { margin: 0 }", nil,
			"The CSS selector body is not allowed. Only the customizable classes of the hosted UI can be styled."},
		{"pseudo-class not listed", ".label-customizable:hover { color: red }", nil,
			"The CSS selector .label-customizable:hover is not allowed. Only the customizable classes of the hosted UI can be styled."},
		{"media rule", "@media screen { .banner-customizable { color: red } }", nil, "The CSS must not contain @media rules."},
		{"import", "@import url(x.css);\n.banner-customizable { color: red }", nil, "The CSS must not contain @import rules."},
		{"script", ".banner-customizable { background: url(javascript:alert(1)) }", nil, "The CSS must not contain JavaScript."},
		{"unbalanced", ".banner-customizable { color: red ", nil, "The CSS is not valid."},
		{"gif image", "", []byte("GIF89a...."), "The image file must be a PNG or JPEG image."},
		{"image over 100 KB", "", append(append([]byte{}, pngLogo...), bytes.Repeat([]byte{0}, 100*1024)...),
			"The image file must not be larger than 102400 bytes."},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			_, err := set("", tc.css, tc.img)
			testserver.WantError[*types.InvalidParameterException](t, err, tc.msg)
			wantUI(t, getUI(t, e, ""), e.pool, "ALL", poolCSS, "")
		})
	}

	t.Run("unknown pool and client", func(t *testing.T) {
		_, err := e.s.Client.SetUICustomization(ctx, &cip.SetUICustomizationInput{UserPoolId: aws.String("us-east-1_Nope")})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool us-east-1_Nope does not exist.")
		_, err = e.s.Client.GetUICustomization(ctx, &cip.GetUICustomizationInput{UserPoolId: aws.String("us-east-1_Nope")})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool us-east-1_Nope does not exist.")
		_, err = set("nope", poolCSS, nil)
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool client nope does not exist.")
		_, err = e.s.Client.GetUICustomization(ctx, &cip.GetUICustomizationInput{UserPoolId: aws.String(e.pool), ClientId: aws.String("nope")})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool client nope does not exist.")
	})
}
