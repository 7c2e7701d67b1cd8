package login

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// TicketTTL is how long, after a sign-up or a sign-in refused because the
// account is not confirmed, confirming the account on the hosted pages
// also signs the user in. Unconfirmed: Cognito's managed login keeps this
// state for as long as its session cookie lasts.
const TicketTTL = SessionTTL

const ticketAAD = "hosted-confirm"

// ticket records that the hosted pages proved a user's password in this
// browser, so that a confirmation can go on to sign in. It travels
// sealed in the confirmation form.
type ticket struct {
	PoolID   string `json:"p"`
	ClientID string `json:"c"`
	Username string `json:"u"`
	Sub      string `json:"s"`
	Password string `json:"pw"`
	Exp      int64  `json:"e"`
}

// NotConfirmed is the error of a sign-in whose password was right but
// whose account is not confirmed: the page asks for the confirmation
// code, with Ticket to sign in once it is given. It unwraps to the
// sign-in's UserNotConfirmedException.
type NotConfirmed struct {
	Err      error
	Username string
	Ticket   string
}

func (e *NotConfirmed) Error() string { return e.Err.Error() }
func (e *NotConfirmed) Unwrap() error { return e.Err }

// SignedUp is the outcome of a sign-up on the hosted pages: the
// confirmation the user must give (Destination of the code, Ticket), or,
// for a user confirmed at once (a PreSignUp trigger), Step. A sign-in
// error after such a confirmation is returned as *SignInAfterConfirm.
type SignedUp struct {
	Username    string
	Destination string
	Ticket      string
	Step        *Step
}

// SignUpAllowed reports whether users may sign themselves up in pool
// poolID: not when only administrators create users.
func (s *Service) SignUpAllowed(ctx context.Context, poolID string) bool {
	var p *core.Pool
	err := s.Store.View(ctx, func(tx store.Tx) (err error) {
		p, err = s.LoadPool(tx, poolID)
		return err
	})
	return err == nil && signUpAllowed(p)
}

func signUpAllowed(p *core.Pool) bool {
	a := p.Cfg.AdminCreateUserConfig
	return a == nil || !model.BoolValue(a.AllowAdminCreateUserOnly)
}

// signUpRefused is SignUp's error for a pool where only administrators
// create users.
func signUpRefused() error {
	return cognito.New(cognito.NotAuthorized, "SignUp is not permitted for this user pool")
}

// SignUp registers a user for the authorize request r through SignUp,
// with the client's SECRET_HASH computed here, so that validation,
// PreSignUp, auto-verification and the code are the API's.
func (s *Service) SignUp(ctx context.Context, r *Request, username, password string, attrs map[string]string) (*SignedUp, error) {
	p, c, err := s.poolClient(ctx, r)
	if err != nil {
		return nil, err
	}
	if !PasswordAllowed(c) {
		return nil, passwordRefused()
	}
	if !signUpAllowed(p) {
		return nil, signUpRefused()
	}
	if username == "" {
		// Unconfirmed: the hosted page's message for an empty username.
		return nil, cognito.New(cognito.InvalidParameter, "Username cannot be empty.")
	}
	in := &model.SignUpRequest{ClientId: c.Cfg.ClientId, Username: model.String(username), Password: model.String(password)}
	if h := c.SecretHash(username); h != "" {
		in.SecretHash = model.String(h)
	}
	for _, name := range slices.Sorted(maps.Keys(attrs)) {
		if v := attrs[name]; v != "" {
			in.UserAttributes = append(in.UserAttributes, model.AttributeType{Name: model.String(name), Value: model.String(v)})
		}
	}
	out, err := s.users.SignUp(ctx, in)
	if err != nil {
		return nil, err
	}
	res := &SignedUp{Username: username}
	if d := out.CodeDeliveryDetails; d != nil {
		res.Destination = model.StringValue(d.Destination)
	}
	var u *core.User
	err = s.Store.View(ctx, func(tx store.Tx) (err error) {
		u, err = s.ResolveUser(tx, p, model.StringValue(out.UserSub))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("hosted sign-up: read the new user: %w", err)
	}
	t := ticket{PoolID: p.Id, ClientID: r.ClientID, Username: u.Rec.Username, Sub: u.Rec.Sub, Password: core.PasswordTag(u.Doc.PasswordHash), Exp: s.Now().Unix() + TicketTTL}
	if model.BoolValue(out.UserConfirmed) {
		if res.Step, err = s.resume(ctx, p, c, &t); err != nil {
			return nil, afterConfirm(err)
		}
		return res, nil
	}
	res.Ticket = s.sealTicket(&t)
	return res, nil
}

// notConfirmed turns the UserNotConfirmedException of a hosted sign-in,
// which comes only after a right password, into *NotConfirmed.
func (s *Service) notConfirmed(ctx context.Context, p *core.Pool, r *Request, username string, cause error) error {
	var u *core.User
	err := s.Store.View(ctx, func(tx store.Tx) (err error) {
		u, err = s.ResolveUser(tx, p, username)
		return err
	})
	if err != nil {
		return cause
	}
	t := ticket{PoolID: p.Id, ClientID: r.ClientID, Username: u.Rec.Username, Sub: u.Rec.Sub, Password: core.PasswordTag(u.Doc.PasswordHash), Exp: s.Now().Unix() + TicketTTL}
	return &NotConfirmed{Err: cause, Username: username, Ticket: s.sealTicket(&t)}
}

func (s *Service) sealTicket(t *ticket) string {
	buf, _ := json.Marshal(t)
	return s.Sealer.Seal(buf, []byte(ticketAAD))
}

// openTicket reads a ticket of r's pool and client; nil when it is
// absent, forged or expired.
func (s *Service) openTicket(raw string, r *Request) *ticket {
	if raw == "" {
		return nil
	}
	buf, err := s.Sealer.Open(raw, []byte(ticketAAD))
	if err != nil {
		return nil
	}
	var t ticket
	if json.Unmarshal(buf, &t) != nil || t.PoolID != r.PoolID || t.ClientID != r.ClientID || s.Now().Unix() >= t.Exp {
		return nil
	}
	return &t
}

func (s *Service) resume(ctx context.Context, p *core.Pool, c *core.Client, t *ticket) (*Step, error) {
	if !PasswordAllowed(c) {
		return nil, passwordRefused()
	}
	hs, err := s.auth.HostedResume(ctx, p, c, t.Username, t.Sub, t.Password)
	if err != nil {
		return nil, err
	}
	return s.step(p, hs), nil
}

// ConfirmSignUp confirms the account of username with code through
// ConfirmSignUp. With a valid ticket from the sign-up (or the refused
// sign-in) it then signs the user in, as Cognito's hosted UI sends a user
// who confirms to the app; without one the Step is nil and the user signs
// in on the login page. A sign-in error after the confirmation is
// returned as *SignInAfterConfirm.
func (s *Service) ConfirmSignUp(ctx context.Context, r *Request, username, code, rawTicket string) (*Step, error) {
	p, c, err := s.poolClient(ctx, r)
	if err != nil {
		return nil, err
	}
	if username == "" || code == "" {
		// Unconfirmed: the hosted page's message for an empty field.
		return nil, cognito.New(cognito.InvalidParameter, "Username and confirmation code are required.")
	}
	in := &model.ConfirmSignUpRequest{ClientId: c.Cfg.ClientId, Username: model.String(username), ConfirmationCode: model.String(code)}
	if h := c.SecretHash(username); h != "" {
		in.SecretHash = model.String(h)
	}
	if _, err := s.users.ConfirmSignUp(ctx, in); err != nil {
		return nil, err
	}
	// Unconfirmed: that the hosted UI signs in a user who confirms after
	// signing up in the same browser (the documentation shows no page
	// between the confirmation and the app).
	t := s.openTicket(rawTicket, r)
	if t == nil {
		return nil, nil
	}
	// The ticket signs in only the user it was issued for, and only on
	// the confirmation that just succeeded: ConfirmSignUp succeeds once
	// per user, so a ticket cannot be replayed, nor carried to the
	// confirmation of another account.
	var confirmed *core.User
	if err := s.Store.View(ctx, func(tx store.Tx) (err error) {
		confirmed, err = s.ResolveUser(tx, p, username)
		return err
	}); err != nil || confirmed.Rec.Sub != t.Sub {
		return nil, nil
	}
	step, err := s.resume(ctx, p, c, t)
	if err != nil {
		return nil, afterConfirm(err)
	}
	return step, nil
}

// afterConfirm marks a Cognito error of the sign-in that follows a
// confirmation as *SignInAfterConfirm.
func afterConfirm(err error) error {
	var ce *cognito.Error
	if errors.As(err, &ce) {
		return &SignInAfterConfirm{Err: ce}
	}
	return err
}

// SignInAfterConfirm is a sign-in that failed after the account was
// confirmed (a trigger refused it, the password changed meanwhile): the
// login page shows Err's message.
type SignInAfterConfirm struct{ Err *cognito.Error }

func (e *SignInAfterConfirm) Error() string { return e.Err.Error() }
func (e *SignInAfterConfirm) Unwrap() error { return e.Err }

// ResendCode sends username a new confirmation code through
// ResendConfirmationCode and returns where it went.
func (s *Service) ResendCode(ctx context.Context, r *Request, username string) (string, error) {
	_, c, err := s.poolClient(ctx, r)
	if err != nil {
		return "", err
	}
	if username == "" {
		return "", cognito.New(cognito.InvalidParameter, "Username cannot be empty.")
	}
	in := &model.ResendConfirmationCodeRequest{ClientId: c.Cfg.ClientId, Username: model.String(username)}
	if h := c.SecretHash(username); h != "" {
		in.SecretHash = model.String(h)
	}
	out, err := s.users.ResendConfirmationCode(ctx, in)
	if err != nil {
		return "", err
	}
	if out.CodeDeliveryDetails == nil {
		return "", nil
	}
	return model.StringValue(out.CodeDeliveryDetails.Destination), nil
}

// ForgotPassword sends username a password-reset code through
// ForgotPassword (its limits, CustomMessage_ForgotPassword and
// PreventUserExistenceErrors included) and returns where it went.
func (s *Service) ForgotPassword(ctx context.Context, r *Request, username string) (string, error) {
	_, c, err := s.poolClient(ctx, r)
	if err != nil {
		return "", err
	}
	if !PasswordAllowed(c) {
		return "", passwordRefused()
	}
	if username == "" {
		return "", cognito.New(cognito.InvalidParameter, "Username cannot be empty.")
	}
	in := &model.ForgotPasswordRequest{ClientId: c.Cfg.ClientId, Username: model.String(username)}
	if h := c.SecretHash(username); h != "" {
		in.SecretHash = model.String(h)
	}
	out, err := s.users.ForgotPassword(ctx, in)
	if err != nil {
		return "", err
	}
	if out.CodeDeliveryDetails == nil {
		return "", nil
	}
	return model.StringValue(out.CodeDeliveryDetails.Destination), nil
}

// ConfirmForgotPassword sets username's new password with the reset code
// through ConfirmForgotPassword.
func (s *Service) ConfirmForgotPassword(ctx context.Context, r *Request, username, code, password string) error {
	_, c, err := s.poolClient(ctx, r)
	if err != nil {
		return err
	}
	if !PasswordAllowed(c) {
		return passwordRefused()
	}
	if username == "" || code == "" {
		return cognito.New(cognito.InvalidParameter, "Username and confirmation code are required.")
	}
	in := &model.ConfirmForgotPasswordRequest{ClientId: c.Cfg.ClientId, Username: model.String(username),
		ConfirmationCode: model.String(code), Password: model.String(password)}
	if h := c.SecretHash(username); h != "" {
		in.SecretHash = model.String(h)
	}
	_, err = s.users.ConfirmForgotPassword(ctx, in)
	return err
}
