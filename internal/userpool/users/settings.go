package users

import (
	"context"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// mfaOptions checks legacy MFA settings: SMS to phone_number is the only
// kind SetUserSettings still configures.
func mfaOptions(in []model.MFAOptionType) ([]core.MFAOption, error) {
	var out []core.MFAOption
	for _, o := range in {
		medium, attr := model.StringValue(o.DeliveryMedium), model.StringValue(o.AttributeName)
		if medium != "SMS" || attr != "phone_number" {
			// Unconfirmed: Cognito's text for a non-SMS option.
			return nil, cognito.New(cognito.InvalidParameter, "Only SMS MFA to phone_number can be set with MFAOptions.")
		}
		if len(out) == 0 {
			out = append(out, core.MFAOption{DeliveryMedium: medium, AttributeName: attr})
		}
	}
	return out, nil
}

func setMFAOptions(u *core.User, opts []core.MFAOption) {
	if u.Doc.Extra == nil {
		if len(opts) == 0 {
			return
		}
		u.Doc.Extra = &core.UserExtra{}
	}
	u.Doc.Extra.MFAOptions = opts
}

// MFAOptionList is the legacy MFA settings of u as GetUser shows them (nil
// for none).
func MFAOptionList(u *core.User) []model.MFAOptionType {
	if u.Doc.Extra == nil {
		return nil
	}
	var out []model.MFAOptionType
	for _, o := range u.Doc.Extra.MFAOptions {
		out = append(out, model.MFAOptionType{DeliveryMedium: model.String(o.DeliveryMedium), AttributeName: model.String(o.AttributeName)})
	}
	return out
}

// AdminSetUserSettings sets a user's legacy SMS MFA options; an empty
// list clears them.
func (s *Service) AdminSetUserSettings(ctx context.Context, in *model.AdminSetUserSettingsRequest) (*model.AdminSetUserSettingsResponse, error) {
	opts, err := mfaOptions(in.MFAOptions)
	if err != nil {
		return nil, err
	}
	err = s.mutateUser(ctx, in.UserPoolId, in.Username, func(_ store.Tx, _ *core.Pool, u *core.User) error {
		setMFAOptions(u, opts)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.AdminSetUserSettingsResponse{}, nil
}

// SetUserSettings sets the signed-in user's legacy SMS MFA options.
func (s *Service) SetUserSettings(ctx context.Context, in *model.SetUserSettingsRequest) (*model.SetUserSettingsResponse, error) {
	c, err := s.tokens.Authorize(ctx, model.StringValue(in.AccessToken))
	if err != nil {
		return nil, err
	}
	opts, err := mfaOptions(in.MFAOptions)
	if err != nil {
		return nil, err
	}
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		u, err := s.Reload(tx, c.Pool, c.User)
		if err != nil {
			return err
		}
		setMFAOptions(u, opts)
		return s.PutUser(tx, u)
	})
	if err != nil {
		return nil, err
	}
	return &model.SetUserSettingsResponse{}, nil
}

// AdminListUserAuthEvents lists a user's recorded sign-in events, newest
// first. Pools without threat protection record none and refuse.
func (s *Service) AdminListUserAuthEvents(ctx context.Context, in *model.AdminListUserAuthEventsRequest) (*model.AdminListUserAuthEventsResponse, error) {
	after, err := core.DecodePageToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	p, u, err := s.adminUser(ctx, in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	if !p.RecordsAuthEvents() {
		return nil, addOnNotEnabled()
	}
	limit := int(model.Int32Value(in.MaxResults))
	if limit <= 0 {
		limit = 60
	}
	var evs []core.AuthEvent
	if u.Doc.Extra != nil {
		evs = u.Doc.Extra.AuthEvents
	}
	start := 0
	if after != "" {
		start = len(evs)
		for i, ev := range evs {
			if ev.ID == after {
				start = i + 1
				break
			}
		}
	}
	out := &model.AdminListUserAuthEventsResponse{AuthEvents: []model.AuthEventType{}}
	for i := start; i < len(evs); i++ {
		if len(out.AuthEvents) == limit {
			out.NextToken = core.EncodePageToken(evs[i-1].ID)
			break
		}
		out.AuthEvents = append(out.AuthEvents, evs[i].AuthEventType())
	}
	return out, nil
}

// addOnNotEnabled refuses an operation on auth events in a pool whose
// threat protection is off. Unconfirmed: the message text.
func addOnNotEnabled() error {
	return cognito.New(cognito.UserPoolAddOnNotEnabled, "Advanced security features are not enabled for this user pool.")
}
