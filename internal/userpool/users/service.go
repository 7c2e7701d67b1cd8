package users

import (
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/delivery"
	"github.com/cognate-idp/cognate/internal/userpool/passwords"
	"github.com/cognate-idp/cognate/internal/userpool/tokens"
	"github.com/cognate-idp/cognate/internal/userpool/triggers"
)

// Service implements the operations on users and their attributes.
type Service struct {
	*core.Env
	delivery  *delivery.Service
	passwords *passwords.Service
	tokens    *tokens.Service
	triggers  *triggers.Service
	// feedbackKey signs the feedback tokens of auth events.
	feedbackKey []byte
}

// New returns a Service; feedbackKey signs the feedback tokens of auth
// events (UpdateAuthEventFeedback).
func New(env *core.Env, d *delivery.Service, pw *passwords.Service, t *tokens.Service, tr *triggers.Service, feedbackKey []byte) *Service {
	return &Service{Env: env, delivery: d, passwords: pw, tokens: t, triggers: tr, feedbackKey: feedbackKey}
}
