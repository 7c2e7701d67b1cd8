package pools

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/domains"
)

// maxCustomAttributes is Cognito's limit of custom attributes per pool.
const maxCustomAttributes = 50

// poolSettings are the fields CreateUserPool and UpdateUserPool share.
type poolSettings struct {
	Policies                    *model.UserPoolPolicyType
	DeletionProtection          *string
	LambdaConfig                *model.LambdaConfigType
	AutoVerifiedAttributes      []string
	SmsVerificationMessage      *string
	EmailVerificationMessage    *string
	EmailVerificationSubject    *string
	VerificationMessageTemplate *model.VerificationMessageTemplateType
	SmsAuthenticationMessage    *string
	UserAttributeUpdateSettings *model.UserAttributeUpdateSettingsType
	MfaConfiguration            *string
	DeviceConfiguration         *model.DeviceConfigurationType
	EmailConfiguration          *model.EmailConfigurationType
	SmsConfiguration            *model.SmsConfigurationType
	UserPoolTags                map[string]string
	AdminCreateUserConfig       *model.AdminCreateUserConfigType
	UserPoolAddOns              *model.UserPoolAddOnsType
	AccountRecoverySetting      *model.AccountRecoverySettingType
}

// apply writes the settings into cfg, filling Cognito's defaults for
// anything omitted: UpdateUserPool resets omitted settings, as Cognito does.
func (ps poolSettings) apply(cfg *model.UserPoolType) error {
	for _, a := range ps.AutoVerifiedAttributes {
		if a != "email" && a != "phone_number" {
			return cognito.Errorf(cognito.InvalidParameter, "Invalid AutoVerifiedAttributes: %s", a)
		}
	}
	upd := ps.UserAttributeUpdateSettings
	if upd == nil {
		upd = &model.UserAttributeUpdateSettingsType{}
	}
	if upd.AttributesRequireVerificationBeforeUpdate == nil {
		upd.AttributesRequireVerificationBeforeUpdate = []string{}
	}
	for _, a := range upd.AttributesRequireVerificationBeforeUpdate {
		if !slices.Contains(ps.AutoVerifiedAttributes, a) {
			return cognito.New(cognito.InvalidParameter, "All attributes in AttributesRequireVerificationBeforeUpdate must exist in AutoVerifiedAttributes")
		}
	}
	pol := ps.Policies
	// Without a PasswordPolicy every character class is required; a given
	// policy's omitted flags are false, as in Cognito.
	requireAll := pol == nil || pol.PasswordPolicy == nil
	if pol == nil {
		pol = &model.UserPoolPolicyType{}
	}
	if pol.PasswordPolicy == nil {
		pol.PasswordPolicy = &model.PasswordPolicyType{}
	}
	if pol.SignInPolicy == nil || len(pol.SignInPolicy.AllowedFirstAuthFactors) == 0 {
		pol.SignInPolicy = &model.SignInPolicyType{AllowedFirstAuthFactors: []string{"PASSWORD"}}
	} else if !slices.Contains(pol.SignInPolicy.AllowedFirstAuthFactors, "PASSWORD") {
		// Unconfirmed: Cognito's message for a sign-in policy without PASSWORD.
		return cognito.New(cognito.InvalidParameter, "AllowedFirstAuthFactors must include PASSWORD.")
	}
	pp := pol.PasswordPolicy
	if pp.MinimumLength == nil {
		pp.MinimumLength = model.Int32(8)
	}
	for _, b := range []**bool{&pp.RequireUppercase, &pp.RequireLowercase, &pp.RequireNumbers, &pp.RequireSymbols} {
		if *b == nil {
			*b = model.Bool(requireAll)
		}
	}
	if pp.TemporaryPasswordValidityDays == nil {
		pp.TemporaryPasswordValidityDays = model.Int32(7)
	}
	tmpl := ps.VerificationMessageTemplate
	if tmpl == nil {
		tmpl = &model.VerificationMessageTemplateType{}
	}
	// The legacy top-level fields and the template mirror each other.
	pick := func(a, b *string, def string) *string {
		switch {
		case a != nil:
			return a
		case b != nil:
			return b
		}
		return model.String(def)
	}
	tmpl.SmsMessage = pick(tmpl.SmsMessage, ps.SmsVerificationMessage, "Your verification code is {####}. ")
	tmpl.EmailMessage = pick(tmpl.EmailMessage, ps.EmailVerificationMessage, "Your verification code is {####}. ")
	tmpl.EmailSubject = pick(tmpl.EmailSubject, ps.EmailVerificationSubject, "Your verification code")
	if tmpl.DefaultEmailOption == nil {
		tmpl.DefaultEmailOption = model.String("CONFIRM_WITH_CODE")
	}
	adm := ps.AdminCreateUserConfig
	if adm == nil {
		adm = &model.AdminCreateUserConfigType{}
	}
	if adm.AllowAdminCreateUserOnly == nil {
		adm.AllowAdminCreateUserOnly = model.Bool(false)
	}
	if adm.UnusedAccountValidityDays == nil {
		adm.UnusedAccountValidityDays = pp.TemporaryPasswordValidityDays
	}
	email := ps.EmailConfiguration
	if email == nil {
		email = &model.EmailConfigurationType{}
	}
	if email.EmailSendingAccount == nil {
		email.EmailSendingAccount = model.String("COGNITO_DEFAULT")
	}
	mfa := ps.MfaConfiguration
	if mfa == nil {
		mfa = model.String("OFF")
	}
	del := ps.DeletionProtection
	if del == nil {
		del = model.String("INACTIVE")
	}
	lambda := ps.LambdaConfig
	if lambda == nil {
		lambda = &model.LambdaConfigType{}
	}
	// Unconfirmed: an UpdateUserPool without UserPoolTags keeps the pool's
	// tags (they are TagResource's as much as this request's); given ones
	// replace the whole set.
	tags := ps.UserPoolTags
	switch {
	case tags == nil && cfg.UserPoolTags != nil:
		tags = cfg.UserPoolTags
	case tags == nil:
		tags = map[string]string{}
	}
	if err := checkTagCount(tags); err != nil {
		return err
	}
	cfg.Policies = pol
	cfg.DeletionProtection = del
	cfg.LambdaConfig = lambda
	cfg.AutoVerifiedAttributes = ps.AutoVerifiedAttributes
	cfg.VerificationMessageTemplate = tmpl
	cfg.SmsVerificationMessage = tmpl.SmsMessage
	cfg.EmailVerificationMessage = tmpl.EmailMessage
	cfg.EmailVerificationSubject = tmpl.EmailSubject
	cfg.SmsAuthenticationMessage = ps.SmsAuthenticationMessage
	cfg.UserAttributeUpdateSettings = upd
	cfg.MfaConfiguration = mfa
	cfg.DeviceConfiguration = ps.DeviceConfiguration
	cfg.EmailConfiguration = email
	cfg.SmsConfiguration = ps.SmsConfiguration
	cfg.UserPoolTags = tags
	cfg.AdminCreateUserConfig = adm
	cfg.UserPoolAddOns = ps.UserPoolAddOns
	cfg.AccountRecoverySetting = ps.AccountRecoverySetting
	return nil
}

// applySettings copies the members that a Create and an Update request
// share into T, whose fields carry the same names, and applies them; the two
// operations thus cannot drift apart member by member.
func applySettings[T any](in any, apply func(T) error) error {
	var settings T
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &settings); err != nil {
		return err
	}
	return apply(settings)
}

// CreateUserPool creates a pool with its schema and signing keys.
func (s *Service) CreateUserPool(ctx context.Context, in *model.CreateUserPoolRequest) (*model.CreateUserPoolResponse, error) {
	if len(in.UsernameAttributes) > 0 && len(in.AliasAttributes) > 0 {
		return nil, cognito.New(cognito.InvalidParameter, "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool")
	}
	for _, a := range in.UsernameAttributes {
		if a != "email" && a != "phone_number" {
			return nil, cognito.Errorf(cognito.InvalidParameter, "Invalid UsernameAttributes: %s", a)
		}
	}
	for _, a := range in.AliasAttributes {
		if a != "email" && a != "phone_number" && a != "preferred_username" {
			return nil, cognito.Errorf(cognito.InvalidParameter, "Invalid AliasAttributes: %s", a)
		}
	}
	schema, err := core.BuildSchema(in.Schema)
	if err != nil {
		return nil, err
	}
	if err := uniqueSchema(schema); err != nil {
		return nil, err
	}
	if n := len(schema) - len(core.StandardSchema()); n > maxCustomAttributes {
		return nil, cognito.Errorf(cognito.LimitExceeded, "A user pool can have at most %d custom attributes.", maxCustomAttributes)
	}
	id, err := s.PoolIDFor(ctx)
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	cfg := model.UserPoolType{
		Id:                 model.String(id),
		Name:               in.PoolName,
		SchemaAttributes:   schema,
		AliasAttributes:    in.AliasAttributes,
		UsernameAttributes: in.UsernameAttributes,
		Arn:                model.String(s.poolARN(id)),
		CreationDate:       model.NewTime(now),
		LastModifiedDate:   model.NewTime(now),
		UserPoolTier:       in.UserPoolTier,
	}
	if cfg.UserPoolTier == nil {
		cfg.UserPoolTier = model.String("ESSENTIALS")
	}
	cs := false
	if in.UsernameConfiguration != nil && in.UsernameConfiguration.CaseSensitive != nil {
		cs = *in.UsernameConfiguration.CaseSensitive
	}
	cfg.UsernameConfiguration = &model.UsernameConfigurationType{CaseSensitive: model.Bool(cs)}
	err = applySettings[poolSettings](in, func(ps poolSettings) error { return ps.apply(&cfg) })
	if err != nil {
		return nil, err
	}
	if err := checkMFAMode(&cfg, nil); err != nil {
		return nil, err
	}
	keys, err := s.tokens.NewPoolKeys(id)
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(core.PoolDoc{Config: cfg})
	if err != nil {
		return nil, err
	}
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		if err := tx.CreatePool(store.Pool{ID: id, Name: model.StringValue(in.PoolName), Created: now, Modified: now, Data: data}); err != nil {
			return err
		}
		for _, k := range keys {
			if err := tx.CreateKey(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := cfg
	out.EstimatedNumberOfUsers = model.Int32(0)
	return &model.CreateUserPoolResponse{UserPool: &out}, nil
}

// DescribeUserPool returns a pool's configuration.
func (s *Service) DescribeUserPool(ctx context.Context, in *model.DescribeUserPoolRequest) (*model.DescribeUserPoolResponse, error) {
	var cfg model.UserPoolType
	err := s.Store.View(ctx, func(tx store.Tx) error {
		p, err := s.LoadPool(tx, model.StringValue(in.UserPoolId))
		if err != nil {
			return err
		}
		n, err := tx.CountUsers(p.Id)
		if err != nil {
			return err
		}
		cfg = *p.Cfg
		cfg.EstimatedNumberOfUsers = model.Int32(int32(min(n, 1<<31-1)))
		prefix, custom, err := domains.Of(tx, p.Id)
		if err != nil {
			return err
		}
		if prefix != "" {
			cfg.Domain = model.String(prefix)
		}
		if custom != "" {
			cfg.CustomDomain = model.String(custom)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.DescribeUserPoolResponse{UserPool: &cfg}, nil
}

// UpdateUserPool replaces a pool's settings; omitted settings return to
// their defaults, as in Cognito.
func (s *Service) UpdateUserPool(ctx context.Context, in *model.UpdateUserPoolRequest) (*model.UpdateUserPoolResponse, error) {
	err := s.updatePoolDoc(ctx, model.StringValue(in.UserPoolId), true, func(doc *core.PoolDoc) error {
		cfg := &doc.Config
		if err := applySettings[poolSettings](in, func(ps poolSettings) error { return ps.apply(cfg) }); err != nil {
			return err
		}
		if in.PoolName != nil {
			cfg.Name = in.PoolName
		}
		if model.StringValue(cfg.MfaConfiguration) == "OFF" && doc.MFA != nil {
			// MFA turned off turns its factors off; passkey settings stay.
			doc.MFA = &core.PoolMFA{WebAuthn: doc.MFA.WebAuthn}
		}
		return checkMFAMode(cfg, doc.MFA)
	})
	if err != nil {
		return nil, err
	}
	return &model.UpdateUserPoolResponse{}, nil
}

// changePool applies change to a pool's stored configuration in one
// transaction and stamps it modified.
func (s *Service) changePool(ctx context.Context, id string, change func(cfg *model.UserPoolType) error) error {
	return s.updatePool(ctx, id, true, change)
}

// updatePool applies change to a pool's stored configuration in one
// transaction; with stamp, LastModifiedDate becomes now. The record's
// Modified time always moves, since the pool caches key on it.
func (s *Service) updatePool(ctx context.Context, id string, stamp bool, change func(cfg *model.UserPoolType) error) error {
	return s.updatePoolDoc(ctx, id, stamp, func(doc *core.PoolDoc) error { return change(&doc.Config) })
}

// updatePoolDoc is updatePool for changes beyond the configuration.
func (s *Service) updatePoolDoc(ctx context.Context, id string, stamp bool, change func(doc *core.PoolDoc) error) error {
	return s.Store.Update(ctx, func(tx store.Tx) error {
		rec, err := tx.GetPool(id)
		if err != nil {
			return core.MapStoreErr(err, core.PoolNotFound(id))
		}
		var doc core.PoolDoc
		if err := json.Unmarshal(rec.Data, &doc); err != nil {
			return err
		}
		if err := change(&doc); err != nil {
			return err
		}
		now := s.Now().UTC()
		if stamp {
			doc.Config.LastModifiedDate = model.NewTime(now)
		}
		rec.Name = model.StringValue(doc.Config.Name)
		rec.Modified = now
		if rec.Data, err = json.Marshal(doc); err != nil {
			return err
		}
		return tx.PutPool(rec)
	})
}

// DeleteUserPool deletes a pool and everything in it.
func (s *Service) DeleteUserPool(ctx context.Context, in *model.DeleteUserPoolRequest) (any, error) {
	id := model.StringValue(in.UserPoolId)
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		p, err := s.LoadPool(tx, id)
		if err != nil {
			return err
		}
		if model.StringValue(p.Cfg.DeletionProtection) == "ACTIVE" {
			return cognito.New(cognito.InvalidParameter, "The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.")
		}
		// Domain names outlive DeletePool unless released here.
		if err := domains.Release(tx, id); err != nil {
			return err
		}
		return tx.DeletePool(id)
	})
	if err != nil {
		return nil, err
	}
	s.ForgetPool(id)
	s.tokens.DropKeys(id)
	return nil, nil
}

// ListUserPools lists pools in ID order.
func (s *Service) ListUserPools(ctx context.Context, in *model.ListUserPoolsRequest) (*model.ListUserPoolsResponse, error) {
	after, err := core.DecodePageToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := int(model.Int32Value(in.MaxResults))
	out := &model.ListUserPoolsResponse{UserPools: []model.UserPoolDescriptionType{}}
	err = s.Store.View(ctx, func(tx store.Tx) error {
		recs, err := tx.ListPools(after, limit+1)
		if err != nil {
			return err
		}
		for i, rec := range recs {
			if i == limit {
				out.NextToken = core.EncodePageToken(recs[i-1].ID)
				break
			}
			p, err := core.DecodePool(rec)
			if err != nil {
				return err
			}
			out.UserPools = append(out.UserPools, model.UserPoolDescriptionType{
				Id: p.Cfg.Id, Name: p.Cfg.Name, LambdaConfig: p.Cfg.LambdaConfig,
				CreationDate: p.Cfg.CreationDate, LastModifiedDate: p.Cfg.LastModifiedDate,
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AddCustomAttributes adds custom attributes to a pool's schema.
func (s *Service) AddCustomAttributes(ctx context.Context, in *model.AddCustomAttributesRequest) (*model.AddCustomAttributesResponse, error) {
	err := s.changePool(ctx, model.StringValue(in.UserPoolId), func(cfg *model.UserPoolType) error {
		added, err := core.CustomAttributes(in.CustomAttributes, func(string) (int, bool) { return 0, false })
		if err != nil {
			return err
		}
		customs := 0
		for _, a := range cfg.SchemaAttributes {
			if !core.IsStandardAttribute(model.StringValue(a.Name)) {
				customs++
			}
		}
		if err := uniqueSchema(append(slices.Clip(cfg.SchemaAttributes), added...)); err != nil {
			return err
		}
		// AddCustomAttributes has no LimitExceededException in the model, so
		// SDKs could not name it: the limit is a parameter error here.
		if customs+len(added) > maxCustomAttributes {
			return cognito.Errorf(cognito.InvalidParameter, "A user pool can have at most %d custom attributes.", maxCustomAttributes)
		}
		cfg.SchemaAttributes = append(cfg.SchemaAttributes, added...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.AddCustomAttributesResponse{}, nil
}

// uniqueSchema refuses a schema that names an attribute twice.
func uniqueSchema(schema []model.SchemaAttributeType) error {
	seen := make(map[string]bool, len(schema))
	for _, a := range schema {
		n := model.StringValue(a.Name)
		if seen[n] {
			return cognito.Errorf(cognito.InvalidParameter, "%s: Existing attribute already has name %s.", n, n)
		}
		seen[n] = true
	}
	return nil
}
