package auth

import (
	"context"
	"errors"
	"maps"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/srp"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/delivery"
	"github.com/cognate-idp/cognate/internal/userpool/triggers"
)

// maxCustomRounds bounds the rounds of one custom authentication; past it
// the sign-in fails.
// Unconfirmed: Cognito's limit is not documented where it could be found.
const maxCustomRounds = 8

func customFailed() error {
	return cognito.New(cognito.NotAuthorized, "Incorrect username or password.")
}

// customBegin starts CUSTOM_AUTH: the DefineAuthChallenge trigger decides
// every step. With SRP_A (CUSTOM_WITH_SRP) the first round is SRP_A, and
// Define may ask for the password proof with PASSWORD_VERIFIER.
func (s *Service) customBegin(ctx context.Context, p *core.Pool, c *core.Client, r authRequest) (*authResult, error) {
	name, err := requireParam(r.params, "USERNAME")
	if err != nil {
		return nil, err
	}
	if err := s.CheckSecretHash(c, name, r.params["SECRET_HASH"]); err != nil {
		return nil, err
	}
	ca := &core.CustomAuth{Rounds: []core.CustomRound{}}
	u, err := s.srpSignInUser(ctx, p, c, r, name)
	switch {
	case err != nil && delivery.HidesUsers(c) && triggers.IsUnknownUser(err):
		u, ca.Name = nil, name
	case err != nil:
		return nil, err
	case !u.Doc.Enabled:
		return nil, cognito.New(cognito.NotAuthorized, "User is disabled.")
	case u.Doc.Status == core.StatusUnconfirmed:
		return nil, cognito.New(cognito.UserNotConfirmed, "User is not confirmed.")
	case u.Doc.Status == core.StatusResetRequired:
		return nil, cognito.New(cognito.PasswordResetRequired, "Password reset required for the user")
	}
	srpA := r.params["SRP_A"]
	if srpA != "" {
		ca.Rounds = append(ca.Rounds, core.CustomRound{Challenge: "SRP_A", Result: true})
	}
	return s.customNext(ctx, p, c, u, ca, srpA, r.clientMetadata)
}

// customNext asks DefineAuthChallenge what follows the rounds in ca and
// answers with tokens, failure or the next challenge. srpA is the
// client's SRP_A when this call carries one.
func (s *Service) customNext(ctx context.Context, p *core.Pool, c *core.Client, u *core.User, ca *core.CustomAuth, srpA string, clientMetadata map[string]string) (*authResult, error) {
	if len(ca.Rounds) >= maxCustomRounds {
		return nil, customFailed()
	}
	ch := triggers.Challenge{Pool: p, Client: c, User: u, Name: ca.Name, Rounds: ca.Rounds, ClientMetadata: clientMetadata}
	next, err := s.triggers.DefineAuthChallenge(ctx, ch)
	if err != nil {
		return nil, err
	}
	switch {
	case model.BoolValue(next.FailAuthentication):
		return nil, customFailed()
	case model.BoolValue(next.IssueTokens):
		if u == nil {
			return nil, customFailed()
		}
		return s.finishSignIn(ctx, p, c, u, "", triggers.TokenGen{ClientMetadata: clientMetadata})
	}
	username := ca.Name
	if u != nil {
		username = u.Rec.Username
	}
	switch name := model.StringValue(next.ChallengeName); name {
	case "CUSTOM_CHALLENGE":
		created, err := s.triggers.CreateAuthChallenge(ctx, ch, name)
		if err != nil {
			return nil, err
		}
		ca.Private, ca.Metadata = created.PrivateChallengeParameters, created.ChallengeMetadata
		params := maps.Clone(created.PublicChallengeParameters)
		if params == nil {
			params = map[string]string{}
		}
		params["USERNAME"] = username
		return s.customChallenge(ctx, p, c, u, ca, name, params)
	case "PASSWORD_VERIFIER":
		if srpA == "" {
			// Unconfirmed: Cognito's answer when Define asks for the password
			// proof without an SRP_A to start it.
			return nil, cognito.New(cognito.InvalidLambdaResponse, "Invalid lambda response: PASSWORD_VERIFIER needs SRP_A.")
		}
		params, err := s.customSRP(p, u, username, srpA)
		if err != nil {
			return nil, err
		}
		return s.customChallenge(ctx, p, c, u, ca, name, params)
	case "":
		return nil, cognito.New(cognito.InvalidLambdaResponse, "Unrecognizable lambda output")
	default:
		// Unconfirmed: Cognito's message for a challenge name it does not
		// serve in a custom authentication.
		return nil, cognito.Errorf(cognito.InvalidLambdaResponse, "Invalid lambda response: challenge %s is not supported.", name)
	}
}

// customChallenge seals the custom state into the session of challenge.
func (s *Service) customChallenge(ctx context.Context, p *core.Pool, c *core.Client, u *core.User, ca *core.CustomAuth, name string, params map[string]string) (*authResult, error) {
	if u == nil {
		u = &core.User{}
	}
	cs := s.NewAuthSession(name, p, c, u)
	cs.Custom = ca
	if err := s.bindOnce(ctx, p, u, &cs, unproven); err != nil {
		return nil, err
	}
	sess, err := s.SealSession(cs)
	if err != nil {
		return nil, err
	}
	return &authResult{ChallengeName: model.String(name), ChallengeParameters: params, Session: model.String(sess)}, nil
}

// customSRP starts the password proof of CUSTOM_WITH_SRP; a name nobody
// has gets a challenge like a real user's, whose proof fails.
func (s *Service) customSRP(p *core.Pool, u *core.User, name, srpA string) (map[string]string, error) {
	var v []byte
	var err error
	if u == nil {
		u, v, err = s.phantomUser(p, name)
	} else {
		v, err = s.passwords.SrpVerifier(p, u)
	}
	if err != nil {
		return nil, err
	}
	ch, err := s.srp.Begin(p.Id, u.Rec.Username, u.Doc.SRPSalt, v, srpA)
	if errors.Is(err, srp.ErrInvalidA) {
		return nil, cognito.New(cognito.InvalidParameter, "Invalid SRP_A.")
	}
	if err != nil {
		return nil, err
	}
	return map[string]string{
		"SALT": ch.SaltHex, "SRP_B": ch.SrpBHex, "SECRET_BLOCK": ch.SecretBlock,
		"USERNAME": u.Rec.Username, "USER_ID_FOR_SRP": u.Rec.Username,
	}, nil
}

// customAnswer passes a CUSTOM_CHALLENGE answer to
// VerifyAuthChallengeResponse, records the round and asks Define again.
func (s *Service) customAnswer(ctx context.Context, p *core.Pool, c *core.Client, session string, resp, clientMetadata map[string]string) (*authResult, error) {
	cs, err := s.OpenSession(session, p, c, "CUSTOM_CHALLENGE")
	if err != nil {
		return nil, err
	}
	ca := cs.Custom
	if ca == nil {
		return nil, core.InvalidSession()
	}
	answer, err := requireParam(resp, "ANSWER")
	if err != nil {
		return nil, err
	}
	var u *core.User
	if ca.Name == "" {
		// Every answer spends the session, right or wrong: the functions
		// decide how many rounds a user gets, and Define sees each.
		err = s.Store.Update(ctx, func(tx store.Tx) error {
			if u, err = s.sessionUser(tx, p, c, cs, resp); err != nil {
				return err
			}
			if err := s.spendOnce(p, u, cs); err != nil {
				return err
			}
			return s.PutUser(tx, u)
		})
	} else if name, rerr := requireParam(resp, "USERNAME"); rerr != nil {
		err = rerr
	} else if name != ca.Name {
		err = core.InvalidSession()
	}
	if err != nil {
		return nil, err
	}
	ch := triggers.Challenge{Pool: p, Client: c, User: u, Name: ca.Name, Rounds: ca.Rounds, ClientMetadata: clientMetadata}
	ok, err := s.triggers.VerifyAuthChallengeResponse(ctx, ch, ca.Private, answer)
	if err != nil {
		return nil, err
	}
	ca.Rounds = append(ca.Rounds, core.CustomRound{Challenge: "CUSTOM_CHALLENGE", Result: ok, Metadata: ca.Metadata})
	ca.Private, ca.Metadata = nil, nil
	return s.customNext(ctx, p, c, u, ca, "", clientMetadata)
}
