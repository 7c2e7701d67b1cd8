package userpool

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
)

// This file builds the Lambda trigger events of a pool's LambdaConfig and
// applies the answers. Every helper here invokes a function, so none of them
// may run inside a store transaction: callers validate, call the helper, and
// only then write (or, for the Post* triggers, write first and call after
// the commit).

// lambdaFn returns the function a pool configures for trigger (one of the
// trigger.Trigger* names), or "" when there is none.
func lambdaFn(p *pool, name string) string {
	lc := p.cfg.LambdaConfig
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
func preTokenVersion(p *pool) string {
	if lc := p.cfg.LambdaConfig; lc != nil && lc.PreTokenGenerationConfig != nil {
		return trigger.PreTokenGenerationVersion(model.StringValue(lc.PreTokenGenerationConfig.LambdaVersion))
	}
	return trigger.EventVersion
}

// eventHeader is the common header of an event: clientID "" (an admin
// caller) becomes CLIENT_ID_NOT_APPLICABLE, and awsSdkVersion comes from the
// request's User-Agent.
func (s *Service) eventHeader(ctx context.Context, p *pool, source, userName, clientID string) trigger.Event {
	if clientID == "" {
		clientID = trigger.ClientIDNotApplicable
	}
	return trigger.Event{
		Version: trigger.EventVersion, TriggerSource: source, Region: s.region, UserPoolID: p.id, UserName: userName,
		CallerContext: trigger.CallerContext{
			AWSSDKVersion: trigger.AWSSDKVersion(cognito.RequestInfoFrom(ctx).UserAgent),
			ClientID:      clientID,
		},
	}
}

// eventAttributes is request.userAttributes as Cognito sends it: every
// attribute as a string, plus cognito:user_status and, for active email or
// phone aliases, cognito:email_alias / cognito:phone_number_alias.
func eventAttributes(p *pool, attrs map[string]string, status string) map[string]string {
	out := make(map[string]string, len(attrs)+3)
	maps.Copy(out, attrs)
	if status != "" {
		out["cognito:user_status"] = status
	}
	for _, attr := range []string{"email", "phone_number"} {
		if v := attrs[attr]; v != "" && p.aliasAttrs[attr] && attrs[attr+"_verified"] == "true" {
			out["cognito:"+attr+"_alias"] = v
		}
	}
	return out
}

// clientIDOf returns the app client id, "" for none.
func clientIDOf(c *client) string {
	if c == nil {
		return ""
	}
	return model.StringValue(c.cfg.ClientId)
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

// preSignUp runs the PreSignUp trigger for the user u about to be created
// (not yet stored) and applies the answer to u: for SignUp,
// autoConfirmUser makes it CONFIRMED (so no confirmation code is sent);
// with autoConfirmUser, autoVerifyEmail/autoVerifyPhone mark the attribute
// verified. It reports whether an attribute was auto-verified, in which
// case an alias held by another user moves to u. clientID is "" for
// AdminCreateUser.
func (s *Service) preSignUp(ctx context.Context, p *pool, u *user, source, clientID string, submitted []attrChange,
	validationData []model.AttributeType, clientMetadata map[string]string) (bool, error) {
	fn := lambdaFn(p, trigger.TriggerPreSignUp)
	if fn == "" {
		return false, nil
	}
	given := map[string]bool{}
	for _, a := range submitted {
		given[a.name] = true
	}
	attrs := map[string]string{}
	for k, v := range u.doc.Attributes {
		// The event shows what the caller asked for, not the defaults
		// Cognate adds (sub, *_verified "false").
		if k == "sub" || (isVerifiedFlag(k) && !given[k]) {
			continue
		}
		attrs[k] = v
	}
	ev := trigger.PreSignUpEvent{
		Event: s.eventHeader(ctx, p, source, u.rec.Username, clientID),
		Request: trigger.PreSignUpRequest{
			UserAttributes: attrs, ValidationData: attributeMap(validationData), ClientMetadata: clientMetadata,
		},
	}
	var out trigger.PreSignUpEvent
	if err := s.triggers.Call(ctx, trigger.TriggerPreSignUp, fn, ev, &out); err != nil {
		return false, err
	}
	r := out.Response
	if !r.AutoConfirmUser {
		// Cognito honours the auto-verify flags only for auto-confirmed users.
		return false, nil
	}
	if source == trigger.SourcePreSignUpSignUp {
		u.doc.Status = statusConfirmed
	}
	verified := false
	for attr, on := range map[string]bool{"email": r.AutoVerifyEmail, "phone_number": r.AutoVerifyPhone} {
		if !on {
			continue
		}
		if u.doc.Attributes[attr] == "" {
			return false, cognito.Errorf(cognito.InvalidParameter,
				"PreSignUp asked to verify %s, but the user has no %s attribute.", attr, attr)
		}
		u.doc.Attributes[attr+"_verified"] = "true"
		verified = true
	}
	return verified, nil
}

// postConfirmation runs the PostConfirmation trigger after the confirmation
// of u was committed; the user is read again so the event shows the stored
// attributes. An error fails the call but the confirmation stays.
func (s *Service) postConfirmation(ctx context.Context, p *pool, u *user, source, clientID string, clientMetadata map[string]string) error {
	fn := lambdaFn(p, trigger.TriggerPostConfirmation)
	if fn == "" || u == nil {
		return nil
	}
	fresh := u
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		fresh, err = s.reload(tx, p, u)
		return err
	})
	if err != nil {
		return err
	}
	ev := trigger.PostConfirmationEvent{
		Event: s.eventHeader(ctx, p, source, fresh.rec.Username, clientID),
		Request: trigger.PostConfirmationRequest{
			UserAttributes: eventAttributes(p, fresh.doc.Attributes, fresh.doc.Status), ClientMetadata: clientMetadata,
		},
	}
	return s.triggers.Call(ctx, trigger.TriggerPostConfirmation, fn, ev, &trigger.PostConfirmationEvent{})
}

// preAuthentication runs the PreAuthentication trigger before a sign-in's
// password (or SRP) check. u nil means nobody has the name: the trigger
// then runs (with userNotFound) only when the client hides user existence.
func (s *Service) preAuthentication(ctx context.Context, p *pool, c *client, name string, u *user, clientMetadata map[string]string) error {
	fn := lambdaFn(p, trigger.TriggerPreAuthentication)
	if fn == "" {
		return nil
	}
	req := trigger.PreAuthenticationRequest{UserAttributes: map[string]string{}, ValidationData: clientMetadata}
	if u == nil {
		if model.StringValue(c.cfg.PreventUserExistenceErrors) != "ENABLED" {
			return nil
		}
		req.UserNotFound = true
	} else {
		name = u.rec.Username
		req.UserAttributes = eventAttributes(p, u.doc.Attributes, u.doc.Status)
	}
	ev := trigger.PreAuthenticationEvent{
		Event:   s.eventHeader(ctx, p, trigger.SourcePreAuthenticationAuthentication, name, clientIDOf(c)),
		Request: req,
	}
	return s.triggers.Call(ctx, trigger.TriggerPreAuthentication, fn, ev, &trigger.PreAuthenticationEvent{})
}

// postAuthentication runs the PostAuthentication trigger after a successful
// sign-in, before any token is issued.
func (s *Service) postAuthentication(ctx context.Context, p *pool, c *client, u *user, clientMetadata map[string]string) error {
	fn := lambdaFn(p, trigger.TriggerPostAuthentication)
	if fn == "" {
		return nil
	}
	ev := trigger.PostAuthenticationEvent{
		Event: s.eventHeader(ctx, p, trigger.SourcePostAuthenticationAuthentication, u.rec.Username, clientIDOf(c)),
		Request: trigger.PostAuthenticationRequest{
			UserAttributes: eventAttributes(p, u.doc.Attributes, u.doc.Status), ClientMetadata: clientMetadata,
		},
	}
	return s.triggers.Call(ctx, trigger.TriggerPostAuthentication, fn, ev, &trigger.PostAuthenticationEvent{})
}

// isUnknownUser reports whether err is what signInUser answers for a name
// that matches nobody (which of the two depends on the client's
// PreventUserExistenceErrors).
func isUnknownUser(err error) bool {
	return cognito.IsCode(err, cognito.UserNotFound) || cognito.IsCode(err, cognito.NotAuthorized)
}

// passwordSignInUser resolves the user of a password sign-in
// (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH): an unknown name goes
// through the UserMigration trigger, then PreAuthentication runs. Errors
// for an unknown name are signInUser's.
func (s *Service) passwordSignInUser(ctx context.Context, p *pool, c *client, r authRequest, name, password string) (*user, error) {
	u, err := s.signInUser(ctx, p, c, name)
	if err != nil && isUnknownUser(err) {
		migrated, merr := s.migrateUser(ctx, p, c, name, password, trigger.SourceUserMigrationAuthentication, r.clientMetadata)
		if merr != nil {
			return nil, merr
		}
		if migrated != nil {
			u, err = migrated, nil
		}
	}
	if err != nil {
		if isUnknownUser(err) {
			if terr := s.preAuthentication(ctx, p, c, name, nil, r.clientMetadata); terr != nil {
				return nil, terr
			}
		}
		return nil, err
	}
	if err := s.preAuthentication(ctx, p, c, name, u, r.clientMetadata); err != nil {
		return nil, err
	}
	return u, nil
}

// srpSignInUser resolves the user of USER_SRP_AUTH and runs
// PreAuthentication. SRP never migrates: it cannot send the password.
func (s *Service) srpSignInUser(ctx context.Context, p *pool, c *client, r authRequest, name string) (*user, error) {
	u, err := s.signInUser(ctx, p, c, name)
	if err != nil {
		if isUnknownUser(err) {
			if terr := s.preAuthentication(ctx, p, c, name, nil, r.clientMetadata); terr != nil {
				return nil, terr
			}
		}
		return nil, err
	}
	if err := s.preAuthentication(ctx, p, c, name, u, r.clientMetadata); err != nil {
		return nil, err
	}
	return u, nil
}

// migrateForForgotPassword runs UserMigration_ForgotPassword when the pool
// has the trigger and nobody has the name, creating the user (without a
// usable password, RESET_REQUIRED) so that ForgotPassword can continue.
func (s *Service) migrateForForgotPassword(ctx context.Context, p *pool, c *client, name string, clientMetadata map[string]string) error {
	if lambdaFn(p, trigger.TriggerUserMigration) == "" {
		return nil
	}
	err := s.store.View(ctx, func(tx store.Tx) error {
		_, err := s.resolveUser(tx, p, name)
		return err
	})
	if !cognito.IsCode(err, cognito.UserNotFound) {
		return err
	}
	_, err = s.migrateUser(ctx, p, c, name, "", trigger.SourceUserMigrationForgotPassword, clientMetadata)
	return err
}

// migrateUser asks the UserMigration trigger for the user name and creates
// it. It returns nil, nil when the pool has no trigger or the function
// returned no attributes (the user stays unknown). password is "" in the
// forgot-password flow.
func (s *Service) migrateUser(ctx context.Context, p *pool, c *client, name, password, source string, clientMetadata map[string]string) (*user, error) {
	fn := lambdaFn(p, trigger.TriggerUserMigration)
	if fn == "" {
		return nil, nil
	}
	ev := trigger.UserMigrationEvent{
		Event: s.eventHeader(ctx, p, source, name, clientIDOf(c)),
		Request: trigger.UserMigrationRequest{
			Password: password, ValidationData: clientMetadata, ClientMetadata: clientMetadata,
		},
	}
	var out trigger.UserMigrationEvent
	if err := s.triggers.Call(ctx, trigger.TriggerUserMigration, fn, ev, &out); err != nil {
		return nil, err
	}
	r := out.Response
	if len(r.UserAttributes) == 0 {
		return nil, nil
	}
	attrs := make([]model.AttributeType, 0, len(r.UserAttributes))
	for _, k := range slices.Sorted(maps.Keys(r.UserAttributes)) {
		if k == "username" {
			continue
		}
		attrs = append(attrs, model.AttributeType{Name: model.String(k), Value: model.String(r.UserAttributes[k])})
	}
	changes, err := checkAttributes(p, writer{}, attrs, "", "userAttributes.", true)
	if err != nil {
		return nil, err
	}
	u, err := s.newUser(p, name, changes)
	if err != nil {
		return nil, err
	}
	if err := missingRequired(p, u.doc.Attributes, "", "userAttributes."); err != nil {
		return nil, err
	}
	status := strings.ToUpper(model.StringValue(r.FinalUserStatus))
	switch {
	case password == "":
		// Nothing to sign in with: the reset code sets the password.
		u.doc.Status = statusResetRequired
	case status == statusResetRequired:
		u.doc.Status = statusResetRequired
	case status == "" || status == statusConfirmed:
		u.doc.Status = statusConfirmed
	default:
		return nil, cognito.New(cognito.InvalidLambdaResponse, "Unrecognizable lambda output")
	}
	if password != "" {
		if err := s.setPassword(p, u, password); err != nil {
			return nil, err
		}
	}
	exists := cognito.New(cognito.UsernameExists, "User account already exists")
	err = s.store.Update(ctx, func(tx store.Tx) error {
		return s.createUser(tx, p, u, r.ForceAliasCreation != nil && *r.ForceAliasCreation, exists)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// tokenGen says why tokens are issued: the PreTokenGeneration source and
// the ClientMetadata of the call.
type tokenGen struct {
	source         string
	clientMetadata map[string]string
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

// preTokenGeneration runs the PreTokenGeneration trigger for tokens about
// to be issued to u and returns the access and ID claims as the function
// changed them (unchanged when the pool has no trigger).
func (s *Service) preTokenGeneration(ctx context.Context, p *pool, c *client, u *user, gen tokenGen,
	access, id []token.Claim) ([]token.Claim, []token.Claim, error) {
	fn := lambdaFn(p, trigger.TriggerPreTokenGeneration)
	if fn == "" {
		return access, id, nil
	}
	if gen.source == "" {
		gen.source = trigger.SourceTokenGenerationAuthentication
	}
	ev := trigger.PreTokenGenerationEvent{
		Event: s.eventHeader(ctx, p, gen.source, u.rec.Username, clientIDOf(c)),
		Request: trigger.PreTokenGenerationRequest{
			UserAttributes:     eventAttributes(p, u.doc.Attributes, u.doc.Status),
			GroupConfiguration: trigger.GroupConfiguration{GroupsToOverride: []string{}, IAMRolesToOverride: []string{}},
			ClientMetadata:     gen.clientMetadata,
		},
	}
	ev.Version = preTokenVersion(p)
	if ev.Version != trigger.EventVersion {
		ev.Request.Scopes = scopesOf(access)
	}
	var out trigger.PreTokenGenerationEvent
	if err := s.triggers.Call(ctx, trigger.TriggerPreTokenGeneration, fn, ev, &out); err != nil {
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
		access = overrideGroups(access, d.GroupOverrideDetails)
		id = overrideGroups(id, d.GroupOverrideDetails)
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
	access = overrideGroups(access, d.GroupOverrideDetails)
	id = overrideGroups(id, d.GroupOverrideDetails)
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
// sub, where Cognito puts them.
func overrideGroups(claims []token.Claim, g *trigger.GroupConfiguration) []token.Claim {
	if g == nil {
		return claims
	}
	out := make([]token.Claim, 0, len(claims)+3)
	var extra []token.Claim
	if len(g.GroupsToOverride) > 0 {
		extra = append(extra, token.Claim{Name: "cognito:groups", Value: g.GroupsToOverride})
	}
	if len(g.IAMRolesToOverride) > 0 {
		extra = append(extra, token.Claim{Name: "cognito:roles", Value: g.IAMRolesToOverride})
	}
	if g.PreferredRole != nil && *g.PreferredRole != "" {
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

// usernameParameter is request.usernameParameter of a CustomMessage event:
// "{username}" for invitations, null otherwise.
func usernameParameter(source string) *string {
	if source == trigger.SourceCustomMessageAdminCreateUser {
		return model.String("{username}")
	}
	return nil
}

// fillCustomMessage puts the code (and, for invitations, the username) in
// place of the placeholders of a body returned by the CustomMessage trigger.
func fillCustomMessage(body string, o *outgoing, username string) string {
	body = strings.ReplaceAll(body, "{####}", o.code)
	if o.source == trigger.SourceCustomMessageAdminCreateUser {
		body = strings.ReplaceAll(body, "{username}", username)
	}
	return body
}
