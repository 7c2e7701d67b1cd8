package e2e

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/testserver"
)

// signingCert calls GetSigningCertificate and returns the raw string and
// the parsed certificate.
func signingCert(t *testing.T, s *testserver.Server, pool string) (string, *x509.Certificate) {
	t.Helper()
	out, err := s.Client.GetSigningCertificate(context.Background(), &cip.GetSigningCertificateInput{UserPoolId: aws.String(pool)})
	noErr(t, err)
	raw := aws.ToString(out.Certificate)
	if strings.ContainsAny(raw, "-\n\r ") {
		t.Fatalf("certificate is not a bare base64 body: %q", raw)
	}
	der, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		t.Fatalf("certificate: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("certificate: %v", err)
	}
	return raw, cert
}

// TestGetSigningCertificate: the certificate holds the key that verifies
// the pool's ID tokens (and not its access token key), is self-signed by
// it, is valid for ten years from the key's creation, and is the same on
// every call and after a restart.
func TestGetSigningCertificate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := testserver.Start(t, testserver.WithDataDir(dir))
	created := time.Now().Truncate(time.Second)
	pool := s.Pool(t, nil)
	client := s.AppClient(t, pool, nil)
	s.User(t, pool, "cat")
	res := s.SignIn(t, client, "cat")

	v := newJWTVerifier(t, s.URL+"/"+pool)
	idHeader, _, err := v.verify(aws.ToString(res.IdToken), time.Now())
	noErr(t, err)
	accessHeader, _, err := v.verify(aws.ToString(res.AccessToken), time.Now())
	noErr(t, err)

	raw, cert := signingCert(t, s, pool)
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		t.Fatalf("public key is %T", cert.PublicKey)
	}
	if !pub.Equal(v.keys[idHeader["kid"].(string)]) {
		t.Errorf("certificate key is not the JWKS key that verifies ID tokens")
	}
	if pub.Equal(v.keys[accessHeader["kid"].(string)]) {
		t.Errorf("certificate key is the access token key")
	}
	if err := cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature); err != nil {
		t.Errorf("not self-signed by its key: %v", err)
	}
	if d := cert.NotBefore.Sub(created); d < -2*time.Second || d > 2*time.Second {
		t.Errorf("NotBefore %v, pool created about %v", cert.NotBefore, created)
	}
	if got := cert.NotAfter.Sub(cert.NotBefore); got < 3650*24*time.Hour {
		t.Errorf("valid for %v, want ten years", got)
	}
	if cert.Subject.CommonName != pool {
		t.Errorf("subject %q, want CN=%s", cert.Subject, pool)
	}

	if again, _ := signingCert(t, s, pool); again != raw {
		t.Errorf("second call returned another certificate")
	}
	s.Close()
	s = testserver.Start(t, testserver.WithDataDir(dir))
	if again, _ := signingCert(t, s, pool); again != raw {
		t.Errorf("after a restart, another certificate")
	}

	// Each pool has its own.
	other := s.Pool(t, nil)
	if o, _ := signingCert(t, s, other); o == raw {
		t.Errorf("two pools share a certificate")
	}

	_, err = s.Client.GetSigningCertificate(context.Background(), &cip.GetSigningCertificateInput{UserPoolId: aws.String("us-east-1_missing00")})
	testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool us-east-1_missing00 does not exist.")
}
