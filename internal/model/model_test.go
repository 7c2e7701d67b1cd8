package model

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/cognito"
)

// validToken is a 1 KB access token made of the TokenModelType alphabet.
var validToken = strings.Repeat("eyJraWQiOiJ0ZXN0LWtleSJ9.", 41)[:1024]

func attrs(kv ...string) []AttributeType {
	var out []AttributeType
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, AttributeType{Name: String(kv[i]), Value: String(kv[i+1])})
	}
	return out
}

func TestValidateMessages(t *testing.T) {
	tests := []struct {
		name  string
		input any
		want  string // "" means valid
	}{
		{
			name:  "valid update",
			input: &UpdateUserAttributesRequest{AccessToken: String(validToken), UserAttributes: attrs("email", "a@example.com", "custom:team", "ops")},
		},
		{
			name: "null attribute name",
			input: &UpdateUserAttributesRequest{AccessToken: String("tok"),
				UserAttributes: []AttributeType{{Value: String("x")}}},
			want: "1 validation error detected: Value null at 'userAttributes.1.member.name' failed to satisfy constraint: Member must not be null",
		},
		{
			name: "empty attribute name gives length and pattern",
			input: &UpdateUserAttributesRequest{AccessToken: String("tok"),
				UserAttributes: attrs("", "x")},
			want: `2 validation errors detected: Value '' at 'userAttributes.1.member.name' failed to satisfy constraint: Member must have length greater than or equal to 1; Value '' at 'userAttributes.1.member.name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r ]+`,
		},
		{
			name:  "bad access token pattern is elided",
			input: &UpdateUserAttributesRequest{AccessToken: String("not a token!"), UserAttributes: attrs("email", "a@example.com")},
			want:  "1 validation error detected: Value at 'accessToken' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9-_=.]+",
		},
		{
			name:  "missing required members, model order",
			input: &UpdateUserAttributesRequest{},
			want:  "2 validation errors detected: Value null at 'userAttributes' failed to satisfy constraint: Member must not be null; Value at 'accessToken' failed to satisfy constraint: Member must not be null",
		},
		{
			name: "list index paths",
			input: &UpdateUserAttributesRequest{AccessToken: String("tok"),
				UserAttributes: append(attrs("email", "a@example.com"), AttributeType{}, AttributeType{Name: String(strings.Repeat("é", 33))})},
			want: "2 validation errors detected: Value null at 'userAttributes.2.member.name' failed to satisfy constraint: Member must not be null; Value '" + strings.Repeat("é", 33) + "' at 'userAttributes.3.member.name' failed to satisfy constraint: Member must have length less than or equal to 32",
		},
		{
			name:  "length counts code points",
			input: &UpdateUserAttributesRequest{AccessToken: String("tok"), UserAttributes: attrs(strings.Repeat("é", 32), "")},
		},
		{
			name:  "sensitive attribute value elided",
			input: &UpdateUserAttributesRequest{AccessToken: String("tok"), UserAttributes: attrs("email", strings.Repeat("x", 2049))},
			want:  "1 validation error detected: Value at 'userAttributes.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 2048",
		},
		{
			name: "enum in list element",
			input: &AdminCreateUserRequest{UserPoolId: String("us-east-1_abc"), Username: String("bob"),
				DesiredDeliveryMediums: []string{"EMAIL", "FAX"}},
			want: "1 validation error detected: Value 'FAX' at 'desiredDeliveryMediums.2.member' failed to satisfy constraint: Member must satisfy enum value set: [SMS, EMAIL]",
		},
		{
			name:  "integer above range",
			input: &ListUsersRequest{UserPoolId: String("us-east-1_abc"), Limit: Int32(61)},
			want:  "1 validation error detected: Value '61' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60",
		},
		{
			name:  "integer below range",
			input: &ListUsersRequest{UserPoolId: String("us-east-1_abc"), Limit: Int32(-1)},
			want:  "1 validation error detected: Value '-1' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 0",
		},
		{
			name:  "regexp pattern",
			input: &ListUsersRequest{UserPoolId: String("nounderscore")},
			want:  "1 validation error detected: Value 'nounderscore' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+",
		},
		{
			name:  "sensitive null and sensitive pattern",
			input: &InitiateAuthRequest{AuthFlow: String("USER_PASSWORD_AUTH"), Session: String("")},
			want:  "2 validation errors detected: Value at 'clientId' failed to satisfy constraint: Member must not be null; Value at 'session' failed to satisfy constraint: Member must have length greater than or equal to 20",
		},
		{
			name:  "sensitive map values elided",
			input: &InitiateAuthRequest{AuthFlow: String("USER_SRP_AUTH"), ClientId: String("abc"), AuthParameters: map[string]string{"SRP_A": strings.Repeat("a", 131073)}},
			want:  "1 validation error detected: Value at 'authParameters.SRP_A.member' failed to satisfy constraint: Member must have length less than or equal to 131072",
		},
		{
			name: "map keys and values in key order",
			input: &TagResourceRequest{ResourceArn: String("arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"),
				Tags: map[string]string{"z": strings.Repeat("v", 257), "": "ok"}},
			want: "2 validation errors detected: Value '' at 'tags..key' failed to satisfy constraint: Member must have length greater than or equal to 1; Value '" + strings.Repeat("v", 257) + "' at 'tags.z.member' failed to satisfy constraint: Member must have length less than or equal to 256",
		},
		{
			name: "nested structure path",
			input: &UpdateUserPoolRequest{UserPoolId: String("us-east-1_abc"),
				Policies: &UserPoolPolicyType{PasswordPolicy: &PasswordPolicyType{MinimumLength: Int32(5)}}},
			want: "1 validation error detected: Value '5' at 'policies.passwordPolicy.minimumLength' failed to satisfy constraint: Member must have value greater than or equal to 6",
		},
		{
			name:  "nil input is valid",
			input: (*UpdateUserAttributesRequest)(nil),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.input)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			e, ok := cognito.As(err)
			if !ok || e.Code != cognito.InvalidParameter {
				t.Fatalf("Validate = %#v, want an InvalidParameterException", err)
			}
			if e.Message != tt.want {
				t.Errorf("message\n got: %s\nwant: %s", e.Message, tt.want)
			}
		})
	}
}

func TestValidateRejectsForeignTypes(t *testing.T) {
	if err := Validate(struct{}{}); err == nil {
		t.Fatal("Validate(struct{}{}) = nil, want an error")
	}
	if err := Validate(nil); err != nil {
		t.Fatalf("Validate(nil) = %v", err)
	}
}

func TestCharacterClassPatterns(t *testing.T) {
	tests := []struct {
		name  string
		match func(string) bool
		in    string
		want  bool
	}{
		{"token alphabet", matchTokenModelType, "abc-_=.XYZ09", true},
		{"token space", matchTokenModelType, "abc def", false},
		{"token non-ASCII", matchTokenModelType, "abcé", false},
		{"token empty", matchTokenModelType, "", false},
		{"non-space class, non-ASCII", matchConfirmationCodeType, "pässwörd!", true},
		{"non-space class, vertical tab", matchConfirmationCodeType, "a\vb", false},
		{"attribute name letters", matchAttributeNameType, "custom:名前", true},
		{"attribute name tab", matchAttributeNameType, "a\tb", true},
		{"attribute name vertical tab", matchAttributeNameType, "a\vb", false},
		{"client id word chars", matchClientIdType, "abc+123_", true},
		{"client id dash", matchClientIdType, "abc-123", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.match(tt.in); got != tt.want {
				t.Errorf("match(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestTimeJSON(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // re-marshalled
		unix time.Time
	}{
		{"milliseconds", "1674946410.123", "1674946410.123", time.UnixMilli(1674946410123)},
		{"whole seconds", "1674946410", "1674946410", time.Unix(1674946410, 0)},
		{"trailing zeros", "1674946410.500", "1674946410.5", time.UnixMilli(1674946410500)},
		{"exponent", "1.674946410123E9", "1674946410.123", time.UnixMilli(1674946410123)},
		{"sub-millisecond truncated", "1674946410.1239", "1674946410.123", time.Unix(1674946410, 123900000)},
		{"negative", "-0.5", "-0.5", time.UnixMilli(-500)},
		{"tens of milliseconds", "1674946410.050", "1674946410.05", time.UnixMilli(1674946410050)},
		{"single milliseconds", "1674946410.007", "1674946410.007", time.UnixMilli(1674946410007)},
		{"hundreds and ones", "1674946410.105", "1674946410.105", time.UnixMilli(1674946410105)},
		{"twelve hundredths", "1674946410.120", "1674946410.12", time.UnixMilli(1674946410120)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v struct {
				T *Time `json:"T,omitzero"`
			}
			if err := json.Unmarshal([]byte(`{"T":`+tt.in+`}`), &v); err != nil {
				t.Fatal(err)
			}
			if !v.T.Equal(tt.unix) {
				t.Errorf("decoded %v, want %v", v.T.Time, tt.unix)
			}
			out, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(out); got != `{"T":`+tt.want+`}` {
				t.Errorf("marshal = %s, want %s", got, tt.want)
			}
		})
	}
	for _, bad := range []string{`"2023-01-28"`, `true`, `1e400`, `99999999999999`} {
		t.Run("reject "+bad, func(t *testing.T) {
			var tm Time
			if err := json.Unmarshal([]byte(bad), &tm); err == nil {
				t.Errorf("Unmarshal(%s) succeeded", bad)
			}
		})
	}
}

func TestShapesJSON(t *testing.T) {
	in := &AdminGetUserResponse{Username: String("bob"), UserCreateDate: NewTime(time.UnixMilli(1674946410123)),
		Enabled: Bool(true), UserAttributes: attrs("email", "b@example.com")}
	out, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Username":"bob","UserAttributes":[{"Name":"email","Value":"b@example.com"}],"UserCreateDate":1674946410.123,"Enabled":true}`
	if string(out) != want {
		t.Errorf("marshal = %s\nwant %s", out, want)
	}
	var reg CompleteWebAuthnRegistrationRequest
	doc := `{"AccessToken":"t","Credential":{"id":"abc","response":{"n":[1,2]}}}`
	if err := json.Unmarshal([]byte(doc), &reg); err != nil {
		t.Fatal(err)
	}
	if out, err := json.Marshal(&reg); err != nil || string(out) != doc {
		t.Errorf("document round trip = %s, %v; want %s", out, err, doc)
	}
	var exc NotAuthorizedException
	if err := json.Unmarshal([]byte(`{"message":"Incorrect username or password."}`), &exc); err != nil || StringValue(exc.Message) == "" {
		t.Errorf("lower-case member not decoded: %v %+v", err, exc)
	}
}

func TestOperations(t *testing.T) {
	names := OperationNames()
	if len(names) != 122 {
		t.Errorf("OperationNames has %d entries, want 122", len(names))
	}
	noAuth := 0
	for i, n := range names {
		if i > 0 && names[i-1] >= n {
			t.Errorf("OperationNames not sorted at %q", n)
		}
		op, ok := LookupOperation(n)
		if !ok || op.Name != n {
			t.Fatalf("LookupOperation(%q) = %v, %v", n, op, ok)
		}
		if op.NoAuth {
			noAuth++
		}
		if in := op.NewInput(); Validate(in) == nil && n == "UpdateUserAttributes" {
			t.Errorf("empty %s input validated", n)
		}
	}
	if noAuth != 32 {
		t.Errorf("%d NoAuth operations, want 32", noAuth)
	}
	tests := []struct {
		name   string
		noAuth bool
		input  string
		output string
	}{
		{"UpdateUserAttributes", true, "UpdateUserAttributesRequest", "UpdateUserAttributesResponse"},
		{"AdminGetUser", false, "AdminGetUserRequest", "AdminGetUserResponse"},
		{"AdminDeleteUser", false, "AdminDeleteUserRequest", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op, ok := LookupOperation(tt.name)
			if !ok {
				t.Fatal("not found")
			}
			if op.NoAuth != tt.noAuth || op.Input != tt.input || op.Output != tt.output {
				t.Errorf("got %+v", op)
			}
			if _, ok := op.NewInput().(interface{ Validate() error }); !ok {
				t.Errorf("NewInput returns %T", op.NewInput())
			}
		})
	}
	if _, ok := LookupOperation("NoSuchOperation"); ok {
		t.Error("LookupOperation(NoSuchOperation) succeeded")
	}
	if op, _ := LookupOperation("UpdateUserAttributes"); len(op.Errors) == 0 || op.Errors[0] != "ResourceNotFoundException" {
		t.Errorf("UpdateUserAttributes errors = %v", op.Errors)
	}
}

// TestGeneratedFilesUpToDate re-runs the generator and compares its output
// with the checked-in files, so they cannot go stale.
func TestGeneratedFilesUpToDate(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go tool not found: %v", err)
	}
	dir := t.TempDir()
	cmd := exec.Command(goTool, "run", "./gen", "-out", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run ./gen: %v\n%s", err, out)
	}
	for _, name := range []string{"shapes_gen.go", "validate_gen.go", "operations_gen.go", "decode_gen.go", "encode_gen.go"} {
		want, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run go generate ./internal/model", name)
		}
	}
}

func FuzzDecodeValidate(f *testing.F) {
	f.Add([]byte(`{"AccessToken":"abc","UserAttributes":[{"Name":"email","Value":"a@b.c"}]}`))
	f.Add([]byte(`{"UserAttributes":[{"Name":""},{}],"ClientMetadata":{"":"x"}}`))
	f.Add([]byte(`{"AccessToken":"\u00e9\ud800","UserAttributes":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var req UpdateUserAttributesRequest
		if Decode(data, &req) != nil {
			return
		}
		if err := req.Validate(); err != nil {
			if e, ok := cognito.As(err); !ok || e.Code != cognito.InvalidParameter || !strings.Contains(e.Message, "validation error") {
				t.Fatalf("unexpected error %v", err)
			}
		}
	})
}

func BenchmarkValidateUpdateUserAttributes(b *testing.B) {
	req := &UpdateUserAttributesRequest{
		AccessToken:    String(validToken),
		UserAttributes: attrs("email", "someone@example.com", "name", "Zoë Example", "custom:department", "engineering"),
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := req.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}

func TestTargetOperation(t *testing.T) {
	for target, want := range map[string]struct {
		name string
		op   bool
		ok   bool
	}{
		"AWSCognitoIdentityProviderService.GetUser": {"GetUser", true, true},
		"AWSCognitoIdentityProviderService.Nope":    {"Nope", false, true},
		"AWSCognitoIdentityProviderServiceGetUser":  {"", false, false},
		"Other.GetUser": {"", false, false},
		"":              {"", false, false},
	} {
		name, op, ok := TargetOperation(target)
		if name != want.name || (op != nil) != want.op || ok != want.ok || (op != nil && op.Name != name) {
			t.Errorf("TargetOperation(%q) = %q, %v, %v", target, name, op, ok)
		}
	}
}
