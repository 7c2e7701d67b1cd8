package auth

import (
	"context"
	"errors"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/srp"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/devices"
	"github.com/cognate-idp/cognate/internal/userpool/triggers"
)

// deviceUser reads the user and device of a device sign-in step: the
// session's user, whose USERNAME the response names, and the session's
// device, which DEVICE_KEY must name.
func (s *Service) deviceUser(ctx context.Context, p *core.Pool, c *core.Client, cs *core.AuthSession, resp map[string]string) (*core.User, *core.Device, error) {
	key, err := requireParam(resp, "DEVICE_KEY")
	if err != nil {
		return nil, nil, err
	}
	if key != cs.Device {
		return nil, nil, core.InvalidSession()
	}
	var u *core.User
	err = s.Store.View(ctx, func(tx store.Tx) error {
		u, err = s.sessionUser(tx, p, c, cs, resp)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	d := u.Device(key)
	if d == nil {
		return nil, nil, devices.NotFound()
	}
	return u, d, nil
}

// deviceSRPBegin answers DEVICE_SRP_AUTH: the SRP exchange of a remembered
// device, whose group key stands where the pool name stands in a user's
// SRP and whose device key stands for the user name.
func (s *Service) deviceSRPBegin(ctx context.Context, p *core.Pool, c *core.Client, session string, resp map[string]string) (*authResult, error) {
	cs, err := s.OpenSession(session, p, c, "DEVICE_SRP_AUTH")
	if err != nil {
		return nil, err
	}
	srpA, err := requireParam(resp, "SRP_A")
	if err != nil {
		return nil, err
	}
	u, d, err := s.deviceUser(ctx, p, c, cs, resp)
	if err != nil {
		return nil, err
	}
	ch, err := s.srp.Begin(d.GroupKey, d.Key, d.Salt, d.Verifier, srpA)
	if errors.Is(err, srp.ErrInvalidA) {
		return nil, cognito.New(cognito.InvalidParameter, "Invalid SRP_A.")
	}
	if err != nil {
		return nil, err
	}
	return s.challenge(ctx, p, c, u, d.Key, "DEVICE_PASSWORD_VERIFIER", map[string]string{
		"SALT": ch.SaltHex, "SRP_B": ch.SrpBHex, "SECRET_BLOCK": ch.SecretBlock,
		"USERNAME": u.Rec.Username, "DEVICE_KEY": d.Key,
	})
}

// deviceSRPVerify checks the device's proof. A remembered device then
// stands in for the second factor where the pool says so
// (ChallengeRequiredOnNewDevice); otherwise MFA follows as usual.
func (s *Service) deviceSRPVerify(ctx context.Context, p *core.Pool, c *core.Client, session string, resp, clientMetadata map[string]string) (*authResult, error) {
	cs, err := s.OpenSession(session, p, c, "DEVICE_PASSWORD_VERIFIER")
	if err != nil {
		return nil, err
	}
	for _, k := range []string{"PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP"} {
		if _, err := requireParam(resp, k); err != nil {
			return nil, err
		}
	}
	if _, _, err := s.deviceUser(ctx, p, c, cs, resp); err != nil {
		return nil, err
	}
	// A wrong proof counts towards the lockout; a right one spends the
	// session.
	// Unconfirmed: Cognito's message for a failed device proof.
	u, err := s.proveFactor(ctx, p, c, cs, resp, func(u *core.User) (bool, error) {
		d := u.Device(cs.Device)
		if d == nil {
			return false, devices.NotFound()
		}
		return s.srp.Verify(d.GroupKey, d.Key, d.Salt, d.Verifier, resp["PASSWORD_CLAIM_SECRET_BLOCK"],
			resp["TIMESTAMP"], resp["PASSWORD_CLAIM_SIGNATURE"]) == nil, nil
	}, cognito.New(cognito.NotAuthorized, "Incorrect username or password."))
	if err != nil {
		return nil, err
	}
	d := u.Device(cs.Device)
	gen := triggers.TokenGen{ClientMetadata: clientMetadata}
	if !(d.Remember && p.RememberedDeviceSkipsMFA()) {
		res, err := s.secondFactor(ctx, p, c, u, d.Key, clientMetadata)
		if err != nil || res != nil {
			return res, err
		}
	}
	return s.finishSignIn(ctx, p, c, u, d.Key, gen)
}
