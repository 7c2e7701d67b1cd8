package triggers

import (
	"context"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/trigger"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// Challenge is the subject of a custom authentication round: the user, or
// nil with the name signed in with when nobody has it.
type Challenge struct {
	Pool           *core.Pool
	Client         *core.Client
	User           *core.User
	Name           string
	Rounds         []core.CustomRound
	ClientMetadata map[string]string
}

func (ch Challenge) header(s *Service, ctx context.Context, source string) trigger.Event {
	name := ch.Name
	if ch.User != nil {
		name = ch.User.Rec.Username
	}
	return s.EventHeader(ctx, ch.Pool, source, name, ClientIDOf(ch.Client))
}

func (ch Challenge) attributes() map[string]string {
	if ch.User == nil {
		return map[string]string{}
	}
	return EventAttributes(ch.Pool, ch.User.Doc.Attributes, ch.User.Doc.Status)
}

func (ch Challenge) session() []trigger.ChallengeResult {
	out := make([]trigger.ChallengeResult, 0, len(ch.Rounds))
	for _, r := range ch.Rounds {
		out = append(out, trigger.ChallengeResult{ChallengeName: r.Challenge, ChallengeResult: r.Result, ChallengeMetadata: r.Metadata})
	}
	return out
}

// functionFor returns the pool's function for a challenge trigger.
// Unconfirmed: Cognito's message when Define names a challenge and the
// pool lacks the trigger that creates or verifies it.
func functionFor(p *core.Pool, name string) (string, error) {
	fn := LambdaFn(p, name)
	if fn == "" {
		return "", cognito.Errorf(cognito.InvalidParameter, "%s lambda trigger is not configured for the user pool.", name)
	}
	return fn, nil
}

// DefineAuthChallenge asks the pool's function what comes after the rounds
// so far.
func (s *Service) DefineAuthChallenge(ctx context.Context, ch Challenge) (trigger.DefineAuthChallengeResponse, error) {
	fn, err := functionFor(ch.Pool, trigger.TriggerDefineAuthChallenge)
	if err != nil {
		return trigger.DefineAuthChallengeResponse{}, err
	}
	ev := trigger.DefineAuthChallengeEvent{
		Event: ch.header(s, ctx, trigger.SourceDefineAuthChallenge),
		Request: trigger.DefineAuthChallengeRequest{UserAttributes: ch.attributes(), Session: ch.session(),
			ClientMetadata: ch.ClientMetadata, UserNotFound: ch.User == nil},
	}
	var out trigger.DefineAuthChallengeEvent
	err = s.caller.Call(ctx, trigger.TriggerDefineAuthChallenge, fn, ev, &out)
	return out.Response, err
}

// CreateAuthChallenge asks the pool's function for the challenge name.
func (s *Service) CreateAuthChallenge(ctx context.Context, ch Challenge, name string) (trigger.CreateAuthChallengeResponse, error) {
	fn, err := functionFor(ch.Pool, trigger.TriggerCreateAuthChallenge)
	if err != nil {
		return trigger.CreateAuthChallengeResponse{}, err
	}
	ev := trigger.CreateAuthChallengeEvent{
		Event: ch.header(s, ctx, trigger.SourceCreateAuthChallenge),
		Request: trigger.CreateAuthChallengeRequest{UserAttributes: ch.attributes(), ChallengeName: name, Session: ch.session(),
			ClientMetadata: ch.ClientMetadata, UserNotFound: ch.User == nil},
	}
	var out trigger.CreateAuthChallengeEvent
	err = s.caller.Call(ctx, trigger.TriggerCreateAuthChallenge, fn, ev, &out)
	return out.Response, err
}

// VerifyAuthChallengeResponse asks the pool's function whether answer is
// right for the challenge with the private parameters.
func (s *Service) VerifyAuthChallengeResponse(ctx context.Context, ch Challenge, private map[string]string, answer string) (bool, error) {
	fn, err := functionFor(ch.Pool, trigger.TriggerVerifyAuthChallengeResponse)
	if err != nil {
		return false, err
	}
	if private == nil {
		private = map[string]string{}
	}
	ev := trigger.VerifyAuthChallengeResponseEvent{
		Event: ch.header(s, ctx, trigger.SourceVerifyAuthChallengeResponse),
		Request: trigger.VerifyAuthChallengeResponseRequest{UserAttributes: ch.attributes(), PrivateChallengeParameters: private,
			ChallengeAnswer: answer, ClientMetadata: ch.ClientMetadata, UserNotFound: ch.User == nil},
	}
	var out trigger.VerifyAuthChallengeResponseEvent
	if err := s.caller.Call(ctx, trigger.TriggerVerifyAuthChallengeResponse, fn, ev, &out); err != nil {
		return false, err
	}
	return out.Response.AnswerCorrect != nil && *out.Response.AnswerCorrect, nil
}
