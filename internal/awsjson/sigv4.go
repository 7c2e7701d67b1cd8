package awsjson

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// SigV4 authenticates the operations the model signs (Admin*, pool and
// client management …) with AWS Signature Version 4 against one access key,
// as IAM would. Unsigned operations (sign-up, sign-in, the access-token
// operations) never pass through it.
type SigV4 struct {
	AccessKeyID     string
	SecretAccessKey string
	Now             func() time.Time
}

// maxSkew is how far a request's X-Amz-Date may be from the server's clock.
const maxSkew = 15 * time.Minute

func authError(typ, msg string) error {
	return &wireError{Type: typ, Message: msg, Status: http.StatusForbidden}
}

// Verify checks the Authorization header of r over body by signing the
// same request again with the configured secret and comparing signatures.
func (v SigV4) Verify(r *http.Request, body []byte) error {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return authError("MissingAuthenticationTokenException", "Missing Authentication Token")
	}
	cred, signed, sig, ok := parseAuthorization(auth)
	if !ok {
		return authError("IncompleteSignatureException", "Authorization header requires Credential, SignedHeaders and Signature.")
	}
	scope := strings.Split(cred, "/")
	if len(scope) != 5 || scope[4] != "aws4_request" || scope[3] != "cognito-idp" {
		return authError("IncompleteSignatureException", "Credential must be <key>/<date>/<region>/cognito-idp/aws4_request.")
	}
	if subtle.ConstantTimeCompare([]byte(scope[0]), []byte(v.AccessKeyID)) != 1 {
		return authError("UnrecognizedClientException", "The security token included in the request is invalid.")
	}
	at, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil || scope[1] != at.Format("20060102") {
		return authError("IncompleteSignatureException", "X-Amz-Date is missing or does not match the credential scope.")
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	if d := now().Sub(at); d > maxSkew || d < -maxSkew {
		return authError("InvalidSignatureException", "Signature expired: the request time is too far from the server time.")
	}
	// Rebuild the request from exactly the signed headers and sign it.
	clone, err := http.NewRequestWithContext(context.Background(), r.Method, "http://"+r.Host+r.URL.RequestURI(), nil)
	if err != nil {
		return authError("InvalidSignatureException", "Malformed request.")
	}
	clone.Host = r.Host
	for _, h := range strings.Split(signed, ";") {
		switch h {
		case "host":
		case "content-length":
			clone.ContentLength = int64(len(body))
		default:
			for _, val := range r.Header.Values(h) {
				clone.Header.Add(h, val)
			}
		}
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: v.AccessKeyID, SecretAccessKey: v.SecretAccessKey,
		SessionToken: r.Header.Get("X-Amz-Security-Token")}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, clone, hex.EncodeToString(sum[:]), "cognito-idp", scope[2], at); err != nil {
		return authError("InvalidSignatureException", "The request signature could not be computed.")
	}
	_, _, want, _ := parseAuthorization(clone.Header.Get("Authorization"))
	if subtle.ConstantTimeCompare([]byte(want), []byte(sig)) != 1 {
		return authError("InvalidSignatureException",
			"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.")
	}
	return nil
}

// parseAuthorization splits an AWS4-HMAC-SHA256 Authorization header.
func parseAuthorization(h string) (credential, signedHeaders, signature string, ok bool) {
	rest, found := strings.CutPrefix(h, "AWS4-HMAC-SHA256 ")
	if !found {
		return "", "", "", false
	}
	for _, part := range strings.Split(rest, ",") {
		k, val, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			credential = val
		case "SignedHeaders":
			signedHeaders = val
		case "Signature":
			signature = val
		}
	}
	return credential, signedHeaders, signature, credential != "" && signedHeaders != "" && signature != ""
}
