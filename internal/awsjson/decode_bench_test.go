package awsjson

import (
	"strings"
	"testing"

	"github.com/cognate-idp/cognate/internal/model"
)

func BenchmarkDecodeUpdateUserAttributes(b *testing.B) {
	body := []byte(`{"AccessToken":"` + strings.Repeat("a", 1100) + `","UserAttributes":[{"Name":"custom:tier","Value":"gold-123"},{"Name":"given_name","Value":"Jane-123"}]}`)
	b.ReportAllocs()
	for b.Loop() {
		var in model.UpdateUserAttributesRequest
		if err := decode(body, &in); err != nil {
			b.Fatal(err)
		}
	}
}
