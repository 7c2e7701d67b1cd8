package devices

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"strings"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/tokens"
)

// Service implements the device operations.
type Service struct {
	*core.Env
	tokens   *tokens.Service
	groupKey []byte
}

// New returns a Service deriving device group keys with groupKey, which
// must stay stable across restarts and nodes.
func New(env *core.Env, tok *tokens.Service, groupKey []byte) *Service {
	return &Service{Env: env, tokens: tok, groupKey: groupKey}
}

// NotFound is Cognito's answer for an unknown device; clients such as
// amazon-cognito-identity-js drop their stored device key on it.
func NotFound() error { return cognito.New(cognito.ResourceNotFound, "Device does not exist.") }

// GroupKey is the device group key of device key for u: derived, so that
// nothing is stored for a device until it is confirmed. It has no
// underscore, since SRP hashes it as a pool name.
func (s *Service) GroupKey(p *core.Pool, u *core.User, key string) string {
	m := hmac.New(sha256.New, s.groupKey)
	m.Write([]byte(p.Id + "\x00" + u.Rec.Key + "\x00" + key))
	return "-" + base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(m.Sum(nil)[:10])
}

// NewDevice returns the metadata of a new device for a sign-in of u.
func (s *Service) NewDevice(p *core.Pool, u *core.User) (*model.NewDeviceMetadataType, error) {
	id, err := s.NewUUID()
	if err != nil {
		return nil, err
	}
	region, _, _ := strings.Cut(p.Id, "_")
	key := region + "_" + id
	return &model.NewDeviceMetadataType{DeviceKey: model.String(key), DeviceGroupKey: model.String(s.GroupKey(p, u, key))}, nil
}

// Touch records a sign-in with device d of u, read inside the caller's
// transaction.
func (s *Service) Touch(ctx context.Context, d *core.Device) {
	now := s.Now().UTC()
	d.LastAuth, d.Modified = now, now
	if ip := cognito.RequestInfoFrom(ctx).SourceIP; ip != "" {
		d.LastIP = ip
	}
}

func view(d *core.Device) model.DeviceType {
	status := "not_remembered"
	if d.Remember {
		status = "remembered"
	}
	attrs := []model.AttributeType{
		{Name: model.String("device_status"), Value: model.String("valid")},
	}
	if d.Name != "" {
		attrs = append(attrs, model.AttributeType{Name: model.String("device_name"), Value: model.String(d.Name)})
	}
	attrs = append(attrs, model.AttributeType{Name: model.String("dev:device_remembered_status"), Value: model.String(status)})
	if d.LastIP != "" {
		attrs = append(attrs, model.AttributeType{Name: model.String("last_ip_used"), Value: model.String(d.LastIP)})
	}
	out := model.DeviceType{
		DeviceKey: model.String(d.Key), DeviceAttributes: attrs,
		DeviceCreateDate: model.NewTime(d.Created), DeviceLastModifiedDate: model.NewTime(d.Modified),
	}
	if !d.LastAuth.IsZero() {
		out.DeviceLastAuthenticatedDate = model.NewTime(d.LastAuth)
	}
	return out
}

// ConfirmDevice registers the device the access token was issued on with
// the SRP verifier the client made for it.
func (s *Service) ConfirmDevice(ctx context.Context, in *model.ConfirmDeviceRequest) (*model.ConfirmDeviceResponse, error) {
	c, err := s.tokens.Authorize(ctx, model.StringValue(in.AccessToken))
	if err != nil {
		return nil, err
	}
	key := model.StringValue(in.DeviceKey)
	if !c.Pool.TracksDevices() || key == "" || c.Claims.DeviceKey != key {
		return nil, NotFound()
	}
	cfg := in.DeviceSecretVerifierConfig
	if cfg == nil {
		// Unconfirmed: Cognito's message for a missing verifier.
		return nil, cognito.New(cognito.InvalidParameter, "DeviceSecretVerifierConfig is required.")
	}
	salt, serr := base64.StdEncoding.DecodeString(model.StringValue(cfg.Salt))
	verifier, verr := base64.StdEncoding.DecodeString(model.StringValue(cfg.PasswordVerifier))
	if serr != nil || verr != nil || len(salt) == 0 || len(verifier) == 0 {
		// Unconfirmed: Cognito's message for an unusable verifier.
		return nil, cognito.New(cognito.InvalidParameter, "Invalid device secret verifier configuration.")
	}
	askUser := model.BoolValue(c.Pool.Cfg.DeviceConfiguration.DeviceOnlyRememberedOnUserPrompt)
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		u, err := s.Reload(tx, c.Pool, c.User)
		if err != nil {
			return err
		}
		if u.Device(key) != nil {
			return cognito.New(cognito.DeviceKeyExists, "Device already confirmed.")
		}
		if u.DeviceForgotten(key) {
			// A forgotten device stays forgotten: its tokens must not
			// bring it back.
			return NotFound()
		}
		now := s.Now().UTC()
		d := core.Device{Key: key, GroupKey: s.GroupKey(c.Pool, u, key), Name: model.StringValue(in.DeviceName),
			Salt: salt, Verifier: verifier, Remember: !askUser, Created: now}
		s.Touch(ctx, &d)
		if u.Doc.Extra == nil {
			u.Doc.Extra = &core.UserExtra{}
		}
		u.Doc.Extra.Devices = append(u.Doc.Extra.Devices, d)
		return s.PutUser(tx, u)
	})
	if err != nil {
		return nil, err
	}
	return &model.ConfirmDeviceResponse{UserConfirmationNecessary: model.Bool(askUser)}, nil
}
