package tokens

import (
	"bytes"
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"time"

	"github.com/cognate-idp/cognate/internal/model"
)

// certValidity is how long a signing certificate is valid, as Cognito's
// are: ten years from issue.
const certValidity = 10 * 365 * 24 * time.Hour

// GetSigningCertificate returns the pool's signing certificate: an X.509
// certificate for the key that signs its ID tokens, self-signed by that
// key, as base64 DER (a PEM body without its armour lines), which is how
// Cognito returns it. Everything in it derives from the key and its
// creation time, and PKCS #1 v1.5 signatures are deterministic, so every
// call and every node returns the same certificate.
func (s *Service) GetSigningCertificate(ctx context.Context, in *model.GetSigningCertificateRequest) (*model.GetSigningCertificateResponse, error) {
	poolID := model.StringValue(in.UserPoolId)
	if err := s.poolExists(ctx, poolID); err != nil {
		return nil, err
	}
	k, err := s.poolKeys(ctx, poolID)
	if err != nil {
		return nil, err
	}
	der, err := signingCertificate(poolID, k)
	if err != nil {
		return nil, err
	}
	return &model.GetSigningCertificateResponse{Certificate: model.String(base64.StdEncoding.EncodeToString(der))}, nil
}

func signingCertificate(poolID string, k *poolKeys) ([]byte, error) {
	issued := k.idCreated.UTC().Truncate(time.Second)
	name := pkix.Name{CommonName: poolID}
	tmpl := &x509.Certificate{
		SerialNumber:       big.NewInt(issued.Unix()),
		Subject:            name,
		Issuer:             name,
		NotBefore:          issued,
		NotAfter:           issued.Add(certValidity),
		KeyUsage:           x509.KeyUsageDigitalSignature,
		SignatureAlgorithm: x509.SHA256WithRSA,
	}
	// The signature uses no randomness; the reader only satisfies the API.
	return x509.CreateCertificate(bytes.NewReader(nil), tmpl, tmpl, &k.id.PublicKey, k.id)
}
