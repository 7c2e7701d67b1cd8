package triggers

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/token"
	"github.com/cognate-idp/cognate/internal/trigger"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// LambdaFn returns the function a pool configures for trigger (one of the
// trigger.Trigger* names), or "" when there is none.
func LambdaFn(p *core.Pool, name string) string {
	lc := p.Cfg.LambdaConfig
	if lc == nil {
		return ""
	}
	switch name {
	case trigger.TriggerPreSignUp:
		return model.StringValue(lc.PreSignUp)
	case trigger.TriggerPostConfirmation:
		return model.StringValue(lc.PostConfirmation)
	case trigger.TriggerPreAuthentication:
		return model.StringValue(lc.PreAuthentication)
	case trigger.TriggerPostAuthentication:
		return model.StringValue(lc.PostAuthentication)
	case trigger.TriggerUserMigration:
		return model.StringValue(lc.UserMigration)
	case trigger.TriggerCustomMessage:
		return model.StringValue(lc.CustomMessage)
	case trigger.TriggerDefineAuthChallenge:
		return model.StringValue(lc.DefineAuthChallenge)
	case trigger.TriggerCreateAuthChallenge:
		return model.StringValue(lc.CreateAuthChallenge)
	case trigger.TriggerVerifyAuthChallengeResponse:
		return model.StringValue(lc.VerifyAuthChallengeResponse)
	case trigger.TriggerPreTokenGeneration:
		if c := lc.PreTokenGenerationConfig; c != nil && model.StringValue(c.LambdaArn) != "" {
			return model.StringValue(c.LambdaArn)
		}
		return model.StringValue(lc.PreTokenGeneration)
	}
	return ""
}

// preTokenVersion is the event version ("1", "2", "3") of the pool's
// PreTokenGeneration trigger.
func preTokenVersion(p *core.Pool) string {
	if lc := p.Cfg.LambdaConfig; lc != nil && lc.PreTokenGenerationConfig != nil {
		return trigger.PreTokenGenerationVersion(model.StringValue(lc.PreTokenGenerationConfig.LambdaVersion))
	}
	return trigger.EventVersion
}

// EventHeader is the common header of an event: clientID "" (an admin
// caller) becomes CLIENT_ID_NOT_APPLICABLE, and awsSdkVersion comes from the
// request's User-Agent.
func (s *Service) EventHeader(ctx context.Context, p *core.Pool, source, userName, clientID string) trigger.Event {
	if clientID == "" {
		clientID = trigger.ClientIDNotApplicable
	}
	return trigger.Event{
		Version: trigger.EventVersion, TriggerSource: source, Region: s.Region, UserPoolID: p.Id, UserName: userName,
		CallerContext: trigger.CallerContext{
			AWSSDKVersion: trigger.AWSSDKVersion(cognito.RequestInfoFrom(ctx).UserAgent),
			ClientID:      clientID,
		},
	}
}

// EventAttributes is request.userAttributes as Cognito sends it: every
// attribute as a string, plus cognito:user_status and, for active email or
// phone aliases, cognito:email_alias / cognito:phone_number_alias.
func EventAttributes(p *core.Pool, attrs map[string]string, status string) map[string]string {
	out := make(map[string]string, len(attrs)+3)
	maps.Copy(out, attrs)
	if status != "" {
		out["cognito:user_status"] = status
	}
	for _, attr := range []string{"email", "phone_number"} {
		if v := attrs[attr]; v != "" && p.AliasAttrs[attr] && attrs[attr+"_verified"] == "true" {
			out["cognito:"+attr+"_alias"] = v
		}
	}
	return out
}

// ClientIDOf returns the app client id, "" for none.
func ClientIDOf(c *core.Client) string {
	if c == nil {
		return ""
	}
	return model.StringValue(c.Cfg.ClientId)
}

// attributeMap turns ValidationData-style attribute lists into the map
// events carry; nil (JSON null) when there are none.
func attributeMap(in []model.AttributeType) map[string]string {
	if len(in) == 0 {
		return nil
	}
	out := make(map[string]string, len(in))
	for _, a := range in {
		out[model.StringValue(a.Name)] = model.StringValue(a.Value)
	}
	return out
}

// PreSignUp runs the PreSignUp trigger for the user u about to be created
// (not yet stored) and applies the answer to u: for SignUp,
// autoConfirmUser makes it CONFIRMED (so no confirmation code is sent);
// with autoConfirmUser, autoVerifyEmail/autoVerifyPhone mark the attribute
// verified. It reports whether an attribute was auto-verified, in which
// case an alias held by another user moves to u. clientID is "" for
// AdminCreateUser.
func (s *Service) PreSignUp(ctx context.Context, p *core.Pool, u *core.User, source, clientID string, submitted []core.AttrChange,
	validationData []model.AttributeType, clientMetadata map[string]string) (bool, error) {
	fn := LambdaFn(p, trigger.TriggerPreSignUp)
	if fn == "" {
		return false, nil
	}
	given := map[string]bool{}
	for _, a := range submitted {
		given[a.Name] = true
	}
	attrs := map[string]string{}
	for k, v := range u.Doc.Attributes {
		// The event shows what the caller asked for, not the defaults
		// Cognate adds (sub, *_verified "false").
		if k == "sub" || (core.IsVerifiedFlag(k) && !given[k]) {
			continue
		}
		attrs[k] = v
	}
	ev := trigger.PreSignUpEvent{
		Event: s.EventHeader(ctx, p, source, u.Rec.Username, clientID),
		Request: trigger.PreSignUpRequest{
			UserAttributes: attrs, ValidationData: attributeMap(validationData), ClientMetadata: clientMetadata,
		},
	}
	var out trigger.PreSignUpEvent
	if err := s.caller.Call(ctx, trigger.TriggerPreSignUp, fn, ev, &out); err != nil {
		return false, err
	}
	r := out.Response
	if !r.AutoConfirmUser {
		// Cognito honours the auto-verify flags only for auto-confirmed users.
		return false, nil
	}
	if source == trigger.SourcePreSignUpSignUp {
		u.Doc.Status = core.StatusConfirmed
	}
	verified := false
	for attr, on := range map[string]bool{"email": r.AutoVerifyEmail, "phone_number": r.AutoVerifyPhone} {
		if !on {
			continue
		}
		if u.Doc.Attributes[attr] == "" {
			return false, cognito.Errorf(cognito.InvalidParameter,
				"PreSignUp asked to verify %s, but the user has no %s attribute.", attr, attr)
		}
		u.Doc.Attributes[attr+"_verified"] = "true"
		verified = true
	}
	return verified, nil
}

// PostConfirmation runs the PostConfirmation trigger after the confirmation
// of u was committed; the user is read again so the event shows the stored
// attributes. An error fails the call but the confirmation stays.
func (s *Service) PostConfirmation(ctx context.Context, p *core.Pool, u *core.User, source, clientID string, clientMetadata map[string]string) error {
	fn := LambdaFn(p, trigger.TriggerPostConfirmation)
	if fn == "" || u == nil {
		return nil
	}
	fresh := u
	err := s.Store.View(ctx, func(tx store.Tx) error {
		var err error
		fresh, err = s.Reload(tx, p, u)
		return err
	})
	if err != nil {
		return err
	}
	ev := trigger.PostConfirmationEvent{
		Event: s.EventHeader(ctx, p, source, fresh.Rec.Username, clientID),
		Request: trigger.PostConfirmationRequest{
			UserAttributes: EventAttributes(p, fresh.Doc.Attributes, fresh.Doc.Status), ClientMetadata: clientMetadata,
		},
	}
	return s.caller.Call(ctx, trigger.TriggerPostConfirmation, fn, ev, &trigger.PostConfirmationEvent{})
}

// PreAuthentication runs the PreAuthentication trigger before a sign-in's
// password (or SRP) check. u nil means nobody has the name: the trigger
// then runs (with userNotFound) only when the client hides user existence.
func (s *Service) PreAuthentication(ctx context.Context, p *core.Pool, c *core.Client, name string, u *core.User, clientMetadata map[string]string) error {
	fn := LambdaFn(p, trigger.TriggerPreAuthentication)
	if fn == "" {
		return nil
	}
	req := trigger.PreAuthenticationRequest{UserAttributes: map[string]string{}, ValidationData: clientMetadata}
	if u == nil {
		if model.StringValue(c.Cfg.PreventUserExistenceErrors) != "ENABLED" {
			return nil
		}
		req.UserNotFound = true
	} else {
		name = u.Rec.Username
		req.UserAttributes = EventAttributes(p, u.Doc.Attributes, u.Doc.Status)
	}
	ev := trigger.PreAuthenticationEvent{
		Event:   s.EventHeader(ctx, p, trigger.SourcePreAuthenticationAuthentication, name, ClientIDOf(c)),
		Request: req,
	}
	return s.caller.Call(ctx, trigger.TriggerPreAuthentication, fn, ev, &trigger.PreAuthenticationEvent{})
}

// PostAuthentication runs the PostAuthentication trigger after a successful
// sign-in, before any token is issued.
func (s *Service) PostAuthentication(ctx context.Context, p *core.Pool, c *core.Client, u *core.User, newDevice bool, clientMetadata map[string]string) error {
	fn := LambdaFn(p, trigger.TriggerPostAuthentication)
	if fn == "" {
		return nil
	}
	ev := trigger.PostAuthenticationEvent{
		Event: s.EventHeader(ctx, p, trigger.SourcePostAuthenticationAuthentication, u.Rec.Username, ClientIDOf(c)),
		Request: trigger.PostAuthenticationRequest{
			UserAttributes: EventAttributes(p, u.Doc.Attributes, u.Doc.Status), NewDeviceUsed: newDevice, ClientMetadata: clientMetadata,
		},
	}
	return s.caller.Call(ctx, trigger.TriggerPostAuthentication, fn, ev, &trigger.PostAuthenticationEvent{})
}

// IsUnknownUser reports whether err is what signInUser answers for a name
// that matches nobody (which of the two depends on the client's
// PreventUserExistenceErrors).
func IsUnknownUser(err error) bool {
	return cognito.IsCode(err, cognito.UserNotFound) || cognito.IsCode(err, cognito.NotAuthorized)
}

// TokenGen says why tokens are issued: the PreTokenGeneration source and
// the ClientMetadata of the call.
type TokenGen struct {
	Source         string
	ClientMetadata map[string]string
}

// protectedClaim reports the claims a PreTokenGeneration function cannot
// add, override or suppress: Cognito's excluded claims plus the ones
// Cognate's token machinery owns. Attempts are ignored. scope changes only
// through scopesToAdd/scopesToSuppress.
func protectedClaim(name string) bool {
	switch strings.ToLower(name) {
	case "acr", "amr", "at_hash", "aud", "auth_time", "azp", "c_hash", "client_id", "cognito:username",
		"event_id", "exp", "iat", "identities", "iss", "jti", "nbf", "nonce", "origin_jti", "scope", "sub",
		"token_use", "username":
		return true
	}
	return false
}

// PreTokenGeneration runs the PreTokenGeneration trigger for tokens about
// to be issued to u and returns the access and ID claims as the function
// changed them (unchanged when the pool has no trigger).
func (s *Service) PreTokenGeneration(ctx context.Context, p *core.Pool, c *core.Client, u *core.User, gen TokenGen,
	groups core.GroupClaims, access, id []token.Claim) ([]token.Claim, []token.Claim, error) {
	fn := LambdaFn(p, trigger.TriggerPreTokenGeneration)
	if fn == "" {
		return access, id, nil
	}
	if gen.Source == "" {
		gen.Source = trigger.SourceTokenGenerationAuthentication
	}
	ev := trigger.PreTokenGenerationEvent{
		Event: s.EventHeader(ctx, p, gen.Source, u.Rec.Username, ClientIDOf(c)),
		Request: trigger.PreTokenGenerationRequest{
			UserAttributes: EventAttributes(p, u.Doc.Attributes, u.Doc.Status),
			GroupConfiguration: trigger.GroupConfiguration{
				GroupsToOverride:   orEmpty(groups.Groups),
				IAMRolesToOverride: orEmpty(groups.Roles),
				PreferredRole:      groups.Preferred,
			},
			ClientMetadata: gen.ClientMetadata,
		},
	}
	ev.Version = preTokenVersion(p)
	if ev.Version != trigger.EventVersion {
		ev.Request.Scopes = scopesOf(access)
	}
	var out trigger.PreTokenGenerationEvent
	if err := s.caller.Call(ctx, trigger.TriggerPreTokenGeneration, fn, ev, &out); err != nil {
		return nil, nil, err
	}
	if ev.Version == trigger.EventVersion {
		d := out.Response.ClaimsOverrideDetails
		if d == nil {
			return access, id, nil
		}
		add := make(map[string]any, len(d.ClaimsToAddOrOverride))
		for k, v := range d.ClaimsToAddOrOverride {
			add[k] = v
		}
		id = overrideClaims(id, d.ClaimsToSuppress, add)
		access = overrideGroups(access, d.GroupOverrideDetails, false)
		id = overrideGroups(id, d.GroupOverrideDetails, true)
		return access, id, nil
	}
	d := out.Response.ClaimsAndScopeOverrideDetails
	if d == nil {
		return access, id, nil
	}
	if g := d.IDTokenGeneration; g != nil {
		id = overrideClaims(id, g.ClaimsToSuppress, g.ClaimsToAddOrOverride)
	}
	if g := d.AccessTokenGeneration; g != nil {
		access = overrideClaims(access, g.ClaimsToSuppress, g.ClaimsToAddOrOverride)
		access = overrideScopes(access, g.ScopesToSuppress, g.ScopesToAdd)
	}
	access = overrideGroups(access, d.GroupOverrideDetails, false)
	id = overrideGroups(id, d.GroupOverrideDetails, true)
	return access, id, nil
}

// overrideClaims drops suppress, then adds or replaces add (in name order,
// after the existing claims); protected claims are left alone.
func overrideClaims(claims []token.Claim, suppress []string, add map[string]any) []token.Claim {
	drop := map[string]bool{}
	for _, n := range suppress {
		if !protectedClaim(n) {
			drop[n] = true
		}
	}
	out := make([]token.Claim, 0, len(claims)+len(add))
	for _, c := range claims {
		if drop[c.Name] {
			continue
		}
		if v, ok := add[c.Name]; ok && !protectedClaim(c.Name) {
			c.Value = v
		}
		out = append(out, c)
	}
	for _, n := range slices.Sorted(maps.Keys(add)) {
		if n == "" || protectedClaim(n) || hasClaim(out, n) || (drop[n] && hasClaim(claims, n)) {
			continue
		}
		out = append(out, token.Claim{Name: n, Value: add[n]})
	}
	return out
}

func hasClaim(claims []token.Claim, name string) bool {
	return slices.ContainsFunc(claims, func(c token.Claim) bool { return c.Name == name })
}

// scopesOf returns the scopes of an access token's scope claim.
func scopesOf(access []token.Claim) []string {
	for _, c := range access {
		if c.Name == "scope" {
			if s, ok := c.Value.(string); ok {
				return strings.Fields(s)
			}
		}
	}
	return []string{}
}

// overrideScopes removes suppress from the access token's scope claim, then
// appends add; an empty result drops the claim.
func overrideScopes(access []token.Claim, suppress, add []string) []token.Claim {
	if len(suppress) == 0 && len(add) == 0 {
		return access
	}
	var scopes []string
	for _, sc := range scopesOf(access) {
		if !slices.Contains(suppress, sc) {
			scopes = append(scopes, sc)
		}
	}
	for _, sc := range add {
		if sc != "" && !slices.Contains(scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	value := strings.Join(scopes, " ")
	out := make([]token.Claim, 0, len(access)+1)
	placed := false
	for _, c := range access {
		if c.Name == "scope" {
			placed = true
			if value == "" {
				continue
			}
			c.Value = value
		}
		out = append(out, c)
	}
	if !placed && value != "" {
		out = append(out, token.Claim{Name: "scope", Value: value})
	}
	return out
}

// overrideGroups replaces cognito:groups, cognito:roles and
// cognito:preferred_role with the function's groupOverrideDetails (nil
// leaves them); empty lists remove the claim. The groups go right after
// sub, where Cognito puts them; the roles exist in ID tokens only.
func overrideGroups(claims []token.Claim, g *trigger.GroupConfiguration, idToken bool) []token.Claim {
	if g == nil {
		return claims
	}
	out := make([]token.Claim, 0, len(claims)+3)
	var extra []token.Claim
	if len(g.GroupsToOverride) > 0 {
		extra = append(extra, token.Claim{Name: "cognito:groups", Value: g.GroupsToOverride})
	}
	if idToken && len(g.IAMRolesToOverride) > 0 {
		extra = append(extra, token.Claim{Name: "cognito:roles", Value: g.IAMRolesToOverride})
	}
	if idToken && g.PreferredRole != nil && *g.PreferredRole != "" {
		extra = append(extra, token.Claim{Name: "cognito:preferred_role", Value: *g.PreferredRole})
	}
	for _, c := range claims {
		switch c.Name {
		case "cognito:groups", "cognito:roles", "cognito:preferred_role":
			continue
		}
		out = append(out, c)
		if c.Name == "sub" {
			out = append(out, extra...)
			extra = nil
		}
	}
	return append(out, extra...)
}

// UsernameParameter is request.usernameParameter of a CustomMessage event:
// "{username}" for invitations, null otherwise.
func UsernameParameter(source string) *string {
	if source == trigger.SourceCustomMessageAdminCreateUser {
		return model.String("{username}")
	}
	return nil
}

// orEmpty returns xs, or an empty list for nil: the event shows [] for a
// user in no group.
func orEmpty(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}
