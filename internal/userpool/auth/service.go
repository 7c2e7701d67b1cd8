package auth

import (
	"github.com/cognate-idp/cognate/internal/srp"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/delivery"
	"github.com/cognate-idp/cognate/internal/userpool/devices"
	"github.com/cognate-idp/cognate/internal/userpool/mfa"
	"github.com/cognate-idp/cognate/internal/userpool/passkeys"
	"github.com/cognate-idp/cognate/internal/userpool/passwords"
	"github.com/cognate-idp/cognate/internal/userpool/tokens"
	"github.com/cognate-idp/cognate/internal/userpool/triggers"
	"github.com/cognate-idp/cognate/internal/userpool/users"
)

// Service implements sign-in: InitiateAuth, RespondToAuthChallenge and
// their admin forms.
type Service struct {
	*core.Env
	srp       *srp.Server
	delivery  *delivery.Service
	passwords *passwords.Service
	tokens    *tokens.Service
	triggers  *triggers.Service
	users     *users.Service
	mfa       *mfa.Service
	devices   *devices.Service
	passkeys  *passkeys.Service
}

// New returns a Service answering SRP with srpServer.
func New(env *core.Env, srpServer *srp.Server, d *delivery.Service, pw *passwords.Service, t *tokens.Service,
	tr *triggers.Service, u *users.Service, m *mfa.Service, dv *devices.Service,
	pk *passkeys.Service) *Service {
	return &Service{Env: env, srp: srpServer, delivery: d, passwords: pw, tokens: t, triggers: tr, users: u, mfa: m, devices: dv, passkeys: pk}
}
