package core

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
)

// SaveUser writes a user inside tx without touching its modification
// date, for bookkeeping such as counted code tries.
func SaveUser(tx store.Tx, u *User) error {
	rec, err := u.Encode()
	if err != nil {
		return err
	}
	if err := tx.PutUser(rec); err != nil {
		return err
	}
	u.Written(rec)
	return nil
}

func UserNotFound() error { return cognito.New(cognito.UserNotFound, "User does not exist.") }

// CodeDoc is a pending verification code. Only an HMAC of the code is kept.
type CodeDoc struct {
	MAC     []byte    `json:"mac"`
	Expires time.Time `json:"exp"`
	Tries   int       `json:"tries,omitempty"`
	Value   string    `json:"value,omitempty"` // the value the code was sent to
}

// UserDoc is the stored document of a user.
type UserDoc struct {
	Attributes map[string]string `json:"attrs"`
	Status     string            `json:"status"`
	Enabled    bool              `json:"enabled"`
	// PasswordHash is an argon2id hash (see password.go).
	PasswordHash string `json:"pw,omitempty"`
	// SRPSalt and SRPVerifier (sealed) serve USER_SRP_AUTH.
	SRPSalt     []byte `json:"srp_salt,omitempty"`
	SRPVerifier string `json:"srp_v,omitempty"`
	// TempPasswordExpires bounds a FORCE_CHANGE_PASSWORD temporary password.
	TempPasswordExpires time.Time `json:"tmp_exp,omitzero"`
	// Pending holds values of attributes waiting for verification before
	// they replace the current value (AttributesRequireVerificationBeforeUpdate).
	Pending map[string]string `json:"pending,omitempty"`
	// Codes are live codes by purpose: an attribute name, "signup" or "forgot".
	Codes map[string]*CodeDoc `json:"codes,omitempty"`
	// Sends records recent message send times by purpose, for throttling.
	Sends map[string][]time.Time `json:"sends,omitempty"`
	// RevokedBefore revokes every token issued at or before it (Unix s).
	RevokedBefore int64 `json:"revoked_before,omitempty"`
	// RevokedOrigins maps revoked origin_jti values to when the record may
	// be dropped (after the longest access-token life).
	RevokedOrigins map[string]int64 `json:"revoked_origins,omitempty"`
	// FailedSignIns counts consecutive wrong passwords; LockedUntil refuses
	// password attempts until then (lockout.go).
	FailedSignIns int       `json:"failed,omitempty"`
	LockedUntil   time.Time `json:"locked_until,omitzero"`
	// Extra holds what few users have; nil for most.
	Extra *UserExtra `json:"extra,omitempty"`
}

// UserExtra is the part of a user document that most users lack.
type UserExtra struct {
	// MFAOptions are the legacy SMS MFA settings of SetUserSettings.
	MFAOptions []MFAOption `json:"mfa,omitempty"`
	// AuthEvents are the latest sign-in events, newest first, recorded
	// while the pool's threat protection (UserPoolAddOns) is on.
	AuthEvents []AuthEvent `json:"events,omitempty"`
	// MFA is the user's authenticator and MFA preferences.
	MFA *UserMFA `json:"mfa2,omitempty"`
	// Devices are the user's confirmed devices; Forgotten the keys of the
	// latest forgotten ones (at most MaxForgottenDevices).
	Devices   []Device `json:"devices,omitempty"`
	Forgotten []string `json:"forgotten,omitempty"`
	// Passkeys are the user's WebAuthn credentials; PasskeyChallenge the
	// state of a registration started and not completed.
	Passkeys []Passkey `json:"passkeys,omitempty"`
	// Identities are the federated identities linked to this user
	// (AdminLinkProviderForUser).
	Identities       []Identity      `json:"identities,omitempty"`
	PasskeyChallenge json.RawMessage `json:"passkey_challenge,omitempty"`
}

func (x *UserExtra) empty() bool {
	return len(x.MFAOptions) == 0 && len(x.AuthEvents) == 0 && (x.MFA == nil || x.MFA.empty()) &&
		len(x.Devices) == 0 && len(x.Forgotten) == 0 && len(x.Passkeys) == 0 && len(x.PasskeyChallenge) == 0 && len(x.Identities) == 0
}

// MFAOption is one legacy MFA setting.
type MFAOption struct {
	DeliveryMedium string `json:"medium"`
	AttributeName  string `json:"attr"`
}

// User is a user record with its decoded document.
type User struct {
	Rec store.User
	Doc *UserDoc
}

func DecodeUser(rec store.User) (*User, error) {
	doc := &UserDoc{}
	if err := decodeUserDoc(rec.Data, doc); err != nil {
		return nil, fmt.Errorf("decode user %s: %w", rec.Key, err)
	}
	if doc.Attributes == nil {
		doc.Attributes = map[string]string{}
	}
	return &User{Rec: rec, Doc: doc}, nil
}

// Encode returns the record to write, with its index entries and, when u
// was read from the store, the entries of the stored record (derived from
// Rec.Data, which holds the stored document until Written), so the store
// rewrites only those that changed. Reads pay nothing for the index.
func (u *User) Encode() (store.User, error) {
	rec := u.Rec
	rec.Data = encodeUserDoc(u.Doc)
	rec.Index = u.IndexEntries()
	rec.IndexWas = nil
	if u.Rec.Data != nil {
		stored := &User{Rec: u.Rec, Doc: &UserDoc{}}
		if err := decodeUserDoc(u.Rec.Data, stored.Doc); err == nil {
			rec.IndexWas = stored.IndexEntries()
		}
	}
	return rec, nil
}

// Written records that rec, encoded from u, is now the stored record.
func (u *User) Written(rec store.User) { u.Rec.Data = rec.Data }

// AttributeList returns the user's attributes as the API lists them: sub
// first, then by name, filtered by keep when it is not nil.
func (u *User) AttributeList(keep func(name string) bool) []model.AttributeType {
	names := make([]string, 0, len(u.Doc.Attributes))
	for n := range u.Doc.Attributes {
		if n != "sub" && (keep == nil || keep(n)) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	if _, ok := u.Doc.Attributes["sub"]; ok && (keep == nil || keep("sub")) {
		names = slices.Insert(names, 0, "sub")
	}
	// One array holds every name and value the pointers point at.
	strs := make([]string, 2*len(names))
	out := make([]model.AttributeType, len(names))
	for i, n := range names {
		strs[2*i], strs[2*i+1] = n, u.Doc.Attributes[n]
		out[i] = model.AttributeType{Name: &strs[2*i], Value: &strs[2*i+1]}
	}
	return out
}

// User statuses.
const (
	StatusUnconfirmed         = "UNCONFIRMED"
	StatusConfirmed           = "CONFIRMED"
	StatusForceChangePassword = "FORCE_CHANGE_PASSWORD"
	StatusResetRequired       = "RESET_REQUIRED"
	// StatusExternalProvider is a user created by a sign-in through an
	// identity provider.
	StatusExternalProvider = "EXTERNAL_PROVIDER"
)

func (u *User) UserType(attrs []model.AttributeType) model.UserType {
	return model.UserType{
		Username:             model.String(u.Rec.Username),
		Attributes:           attrs,
		UserCreateDate:       model.NewTime(u.Rec.Created),
		UserLastModifiedDate: model.NewTime(u.Rec.Modified),
		Enabled:              model.Bool(u.Doc.Enabled),
		UserStatus:           model.String(u.Doc.Status),
	}
}
