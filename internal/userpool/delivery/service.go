package delivery

import (
	"time"

	"github.com/cognate-idp/cognate/internal/message"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/triggers"
)

// Limits bound verification codes.
type Limits struct {
	CodeValidity     time.Duration // how long a code lives
	MaxCodeAttempts  int           // wrong entries per code before LimitExceededException
	CodeSendsPerHour int           // messages per user and attribute per hour
}

// Service makes, records and checks verification codes and composes and
// delivers messages.
type Service struct {
	*core.Env
	sender     message.Sender
	dispatcher *message.Dispatcher
	triggers   *triggers.Service
	codeTTL    time.Duration
	maxTries   int
	sendsPerHr int
	codeKey    []byte
}

// New returns a Service sending through sender; codeKey keys the MACs of
// stored codes.
func New(env *core.Env, t *triggers.Service, sender message.Sender, lim Limits, codeKey []byte) *Service {
	return &Service{
		Env: env, sender: sender, triggers: t,
		dispatcher: message.NewDispatcher(env.Store, sender, env.Log, env.Now),
		codeTTL:    lim.CodeValidity, maxTries: lim.MaxCodeAttempts, sendsPerHr: lim.CodeSendsPerHour,
		codeKey: codeKey,
	}
}

// Dispatcher returns the message dispatcher, for a background retry loop.
func (s *Service) Dispatcher() *message.Dispatcher { return s.dispatcher }
