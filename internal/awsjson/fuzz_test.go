package awsjson_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/cognate-idp/cognate/internal/testserver"
)

// fuzzOps are the operations FuzzEdge posts to: pool administration, user
// administration and the unsigned sign-in path.
var fuzzOps = []string{
	"CreateUserPool", "DescribeUserPool", "ListUsers", "AdminCreateUser",
	"InitiateAuth", "SignUp", "CreateUserPoolClient", "GetUser", "AdminLinkProviderForUser",
}

// FuzzEdge posts arbitrary bodies through the whole server and requires a
// well-formed answer: never a 5xx, always a JSON object body, and on errors
// a __type.
func FuzzEdge(f *testing.F) {
	for _, seed := range []string{
		``, `{}`, `null`, `[]`, `{"PoolName":"p"}`, `{"UserPoolId":"us-east-1_abc"}`,
		`{"UserPoolId":"us-east-1_abc","Filter":"email ^= \"a\"","Limit":3}`,
		`{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"x","AuthParameters":{"USERNAME":"a","PASSWORD":"b"}}`,
		`{"PoolName":"p","Schema":[{"Name":"x","AttributeDataType":"Number","NumberAttributeConstraints":{"MinValue":"a"}}]}`,
		`{"UserPoolId":1e400}`, `{"Limit":-1}`, `{"PoolName":"\ud800"}`, `{"AccessToken":"a.b.c"}`,
		`{"UserPoolId":"us-east-1_abc","Username":"u","UserAttributes":[{"Name":"email"}]}`,
		`{"PoolName":"p","Policies":{"PasswordPolicy":{"MinimumLength":99999999999}}}`,
	} {
		for i := range fuzzOps {
			f.Add(uint8(i), []byte(seed))
		}
	}
	s := testserver.Start(f)
	client := &http.Client{}
	f.Fuzz(func(t *testing.T, opIndex uint8, body []byte) {
		op := fuzzOps[int(opIndex)%len(fuzzOps)]
		req, err := http.NewRequest(http.MethodPost, s.URL+"/", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		buf, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode >= 500 {
			t.Fatalf("%s %q: status %d: %s", op, body, resp.StatusCode, buf)
		}
		var out map[string]any
		if err := json.Unmarshal(buf, &out); err != nil {
			t.Fatalf("%s %q: body %q is not a JSON object: %v", op, body, buf, err)
		}
		if resp.StatusCode != http.StatusOK {
			if typ, _ := out["__type"].(string); typ == "" {
				t.Fatalf("%s %q: error without __type: %s", op, body, buf)
			}
			if _, ok := out["message"].(string); !ok {
				t.Fatalf("%s %q: error without message: %s", op, body, buf)
			}
		}
	})
}
