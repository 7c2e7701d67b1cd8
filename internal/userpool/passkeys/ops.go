package passkeys

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// StartWebAuthnRegistration returns the options for navigator.credentials
// .create() and remembers the challenge for CompleteWebAuthnRegistration.
func (s *Service) StartWebAuthnRegistration(ctx context.Context, in *model.StartWebAuthnRegistrationRequest) (*model.StartWebAuthnRegistrationResponse, error) {
	c, err := s.tokens.Authorize(ctx, model.StringValue(in.AccessToken))
	if err != nil {
		return nil, err
	}
	rpID, uv, err := relyingParty(c.Pool)
	if err != nil {
		return nil, err
	}
	var options []byte
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		u, err := s.Reload(tx, c.Pool, c.User)
		if err != nil {
			return err
		}
		if len(u.Passkeys()) >= core.MaxPasskeys {
			return cognito.Errorf(cognito.LimitExceeded, "A user can register at most %d passkeys.", core.MaxPasskeys)
		}
		h, err := newHolder(u)
		if err != nil {
			return err
		}
		w, err := relying(rpID, "")
		if err != nil {
			return err
		}
		var exclude []protocol.CredentialDescriptor
		for i := range h.creds {
			exclude = append(exclude, h.creds[i].Descriptor())
		}
		creation, session, err := w.BeginRegistration(h, webauthn.WithExclusions(exclude),
			webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{ResidentKey: protocol.ResidentKeyRequirementRequired, UserVerification: uv}))
		if err != nil {
			return err
		}
		if options, err = json.Marshal(creation.Response); err != nil {
			return err
		}
		state, err := json.Marshal(session)
		if err != nil {
			return err
		}
		if u.Doc.Extra == nil {
			u.Doc.Extra = &core.UserExtra{}
		}
		u.Doc.Extra.PasskeyChallenge = state
		return s.PutUser(tx, u)
	})
	if err != nil {
		return nil, err
	}
	return &model.StartWebAuthnRegistrationResponse{CredentialCreationOptions: &model.Document{RawMessage: options}}, nil
}

// CompleteWebAuthnRegistration verifies the authenticator's attestation
// against the started registration and stores the passkey.
func (s *Service) CompleteWebAuthnRegistration(ctx context.Context, in *model.CompleteWebAuthnRegistrationRequest) (*model.CompleteWebAuthnRegistrationResponse, error) {
	c, err := s.tokens.Authorize(ctx, model.StringValue(in.AccessToken))
	if err != nil {
		return nil, err
	}
	rpID, _, err := relyingParty(c.Pool)
	if err != nil {
		return nil, err
	}
	if in.Credential == nil {
		return nil, cognito.New(cognito.InvalidParameter, "Missing required parameter Credential")
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(in.Credential.RawMessage)
	if err != nil {
		// Unconfirmed: Cognito's message for an unreadable credential.
		return nil, cognito.New(cognito.InvalidParameter, "The credential is not a valid registration response.")
	}
	if err := checkOrigin(rpID, parsed.Response.CollectedClientData.Origin); err != nil {
		return nil, err
	}
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		u, err := s.Reload(tx, c.Pool, c.User)
		if err != nil {
			return err
		}
		var session webauthn.SessionData
		if u.Doc.Extra == nil || len(u.Doc.Extra.PasskeyChallenge) == 0 || json.Unmarshal(u.Doc.Extra.PasskeyChallenge, &session) != nil ||
			(!session.Expires.IsZero() && s.Now().After(session.Expires)) {
			return cognito.New(cognito.WebAuthnChallengeNotFound, "No passkey registration is waiting; call StartWebAuthnRegistration first.")
		}
		h, err := newHolder(u)
		if err != nil {
			return err
		}
		w, err := relying(rpID, parsed.Response.CollectedClientData.Origin)
		if err != nil {
			return err
		}
		cred, err := w.CreateCredential(h, session, parsed)
		if err != nil {
			s.Log.Info("passkey registration refused", "pool", c.Pool.Id, "error", err)
			return verifyFailed(err)
		}
		id := credentialID(cred.ID)
		if slices.ContainsFunc(u.Passkeys(), func(pk core.Passkey) bool { return pk.ID == id }) {
			return cognito.New(cognito.InvalidParameter, "This passkey is already registered.")
		}
		record, err := json.Marshal(cred)
		if err != nil {
			return err
		}
		pk := core.Passkey{ID: id, Record: record, RPID: rpID, Attachment: string(parsed.AuthenticatorAttachment), Created: s.Now().UTC()}
		for _, t := range cred.Transport {
			pk.Transports = append(pk.Transports, string(t))
		}
		u.Doc.Extra.Passkeys = append(u.Doc.Extra.Passkeys, pk)
		u.Doc.Extra.PasskeyChallenge = nil
		return s.PutUser(tx, u)
	})
	if err != nil {
		return nil, err
	}
	return &model.CompleteWebAuthnRegistrationResponse{}, nil
}

// verifyFailed maps a verification failure of the WebAuthn library.
// Unconfirmed: Cognito's messages; the library's reason is logged, not
// returned.
func verifyFailed(err error) error {
	var pe *protocol.Error
	if errors.As(err, &pe) && strings.HasPrefix(pe.DevInfo, "RP Hash mismatch") {
		return cognito.New(cognito.WebAuthnRelyingPartyMismatch, "The passkey was created for another relying party.")
	}
	return cognito.New(cognito.InvalidParameter, "The passkey could not be verified.")
}

// ListWebAuthnCredentials lists the signed-in user's passkeys.
func (s *Service) ListWebAuthnCredentials(ctx context.Context, in *model.ListWebAuthnCredentialsRequest) (*model.ListWebAuthnCredentialsResponse, error) {
	c, err := s.tokens.Authorize(ctx, model.StringValue(in.AccessToken))
	if err != nil {
		return nil, err
	}
	keys := c.User.Passkeys()
	start := 0
	if t := model.StringValue(in.NextToken); t != "" {
		if start = slices.IndexFunc(keys, func(pk core.Passkey) bool { return pk.ID == t }); start < 0 {
			return nil, cognito.New(cognito.InvalidParameter, "Invalid NextToken.")
		}
	}
	n := int(model.Int32Value(in.MaxResults))
	if n <= 0 || n > 20 {
		n = 20
	}
	out := &model.ListWebAuthnCredentialsResponse{Credentials: []model.WebAuthnCredentialDescription{}}
	end := min(start+n, len(keys))
	for _, pk := range keys[start:end] {
		d := model.WebAuthnCredentialDescription{CredentialId: model.String(pk.ID), RelyingPartyId: model.String(pk.RPID),
			AuthenticatorTransports: pk.Transports, CreatedAt: model.NewTime(pk.Created)}
		if pk.Name != "" {
			d.FriendlyCredentialName = model.String(pk.Name)
		}
		if pk.Attachment != "" {
			d.AuthenticatorAttachment = model.String(pk.Attachment)
		}
		if d.AuthenticatorTransports == nil {
			d.AuthenticatorTransports = []string{}
		}
		out.Credentials = append(out.Credentials, d)
	}
	if end < len(keys) {
		out.NextToken = model.String(keys[end].ID)
	}
	return out, nil
}

// DeleteWebAuthnCredential removes one of the signed-in user's passkeys.
func (s *Service) DeleteWebAuthnCredential(ctx context.Context, in *model.DeleteWebAuthnCredentialRequest) (*model.DeleteWebAuthnCredentialResponse, error) {
	c, err := s.tokens.Authorize(ctx, model.StringValue(in.AccessToken))
	if err != nil {
		return nil, err
	}
	id := model.StringValue(in.CredentialId)
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		u, err := s.Reload(tx, c.Pool, c.User)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(u.Passkeys(), func(pk core.Passkey) bool { return pk.ID == id })
		if i < 0 {
			// Unconfirmed: Cognito's message.
			return cognito.New(cognito.ResourceNotFound, "Credential not found.")
		}
		u.Doc.Extra.Passkeys = slices.Delete(u.Doc.Extra.Passkeys, i, i+1)
		return s.PutUser(tx, u)
	})
	if err != nil {
		return nil, err
	}
	return &model.DeleteWebAuthnCredentialResponse{}, nil
}

// BeginLogin returns the options for navigator.credentials.get() with u's
// passkeys and the state FinishLogin needs.
func (s *Service) BeginLogin(p *core.Pool, u *core.User) (options, state []byte, err error) {
	rpID, uv, err := relyingParty(p)
	if err != nil {
		return nil, nil, err
	}
	h, err := newHolder(u)
	if err != nil {
		return nil, nil, err
	}
	w, err := relying(rpID, "")
	if err != nil {
		return nil, nil, err
	}
	assertion, session, err := w.BeginLogin(h, webauthn.WithUserVerification(uv))
	if err != nil {
		return nil, nil, err
	}
	if options, err = json.Marshal(assertion.Response); err != nil {
		return nil, nil, err
	}
	state, err = json.Marshal(session)
	return options, state, err
}

// FinishLogin verifies a passkey assertion for u (read inside the
// caller's transaction, which saves it) and records the new sign count.
func (s *Service) FinishLogin(p *core.Pool, u *core.User, state []byte, credential string) (bool, error) {
	rpID, _, err := relyingParty(p)
	if err != nil {
		return false, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes([]byte(credential))
	if err != nil {
		return false, nil
	}
	if err := checkOrigin(rpID, parsed.Response.CollectedClientData.Origin); err != nil {
		return false, err
	}
	var session webauthn.SessionData
	if err := json.Unmarshal(state, &session); err != nil {
		return false, core.InvalidSession()
	}
	h, err := newHolder(u)
	if err != nil {
		return false, err
	}
	w, err := relying(rpID, parsed.Response.CollectedClientData.Origin)
	if err != nil {
		return false, err
	}
	cred, err := w.ValidateLogin(h, session, parsed)
	if err != nil {
		s.Log.Info("passkey sign-in refused", "pool", p.Id, "error", err)
		return false, nil
	}
	record, err := json.Marshal(cred)
	if err != nil {
		return false, err
	}
	id := credentialID(cred.ID)
	for i := range u.Doc.Extra.Passkeys {
		if u.Doc.Extra.Passkeys[i].ID == id {
			u.Doc.Extra.Passkeys[i].Record = record
		}
	}
	return true, nil
}
