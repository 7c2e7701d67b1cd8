package userpool

import (
	"errors"
	"slices"
	"strings"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
)

// writer says who writes attributes: a user through an app client (client
// set) or an administrator (client nil).
type writer struct {
	client *client
}

func (w writer) admin() bool { return w.client == nil }

// canWrite applies the app client's WriteAttributes. Developer-only
// attributes are never writable with a token; required attributes always
// are. Unset, every other attribute except the *_verified flags is
// writable (custom ones included: Cognito's default there is unconfirmed).
func (w writer) canWrite(p *pool, name string) bool {
	if w.admin() {
		return true
	}
	if strings.HasPrefix(name, "dev:") {
		return false
	}
	a := p.schema[name]
	if a != nil && model.BoolValue(a.DeveloperOnlyAttribute) {
		return false
	}
	if a != nil && model.BoolValue(a.Required) && name != "sub" {
		return true
	}
	if list := w.client.cfg.WriteAttributes; list != nil {
		return slices.Contains(list, name)
	}
	return !isVerifiedFlag(name)
}

// canRead applies the app client's ReadAttributes for GetUser and ID tokens.
func canRead(p *pool, c *client, name string) bool {
	if name == "sub" {
		return true
	}
	if a := p.schema[name]; a != nil && model.BoolValue(a.DeveloperOnlyAttribute) {
		return c == nil
	}
	if c != nil && c.cfg.ReadAttributes != nil {
		return slices.Contains(c.cfg.ReadAttributes, name)
	}
	return true
}

// schemaName maps a wire attribute name to its schema name ("dev:custom:x"
// is the developer-only spelling of "custom:x").
func schemaName(name string) string { return strings.TrimPrefix(name, "dev:") }

// checkAttributes validates a list of attribute writes (an empty value
// deletes) and returns them as an ordered name→value list, last write of a
// name winning. lead and prefix shape schema errors: ("", "user.") for
// attribute updates, ("Attributes did not conform to the schema: ", "") at
// sign-up. creating allows immutable attributes to be set.
func checkAttributes(p *pool, w writer, in []model.AttributeType, lead, prefix string, creating bool) ([]attrChange, error) {
	for _, a := range in {
		if model.StringValue(a.Name) == "sub" {
			return nil, cognito.New(cognito.InvalidParameter, "Cannot modify the non-mutable attribute sub")
		}
	}
	for _, a := range in {
		if a.Value == nil {
			return nil, cognito.Errorf(cognito.InvalidParameter, "Attribute value for %s must not be null", model.StringValue(a.Name))
		}
	}
	for _, a := range in {
		if !w.canWrite(p, model.StringValue(a.Name)) {
			return nil, cognito.New(cognito.NotAuthorized, "A client attempted to write unauthorized attribute")
		}
	}
	var problems []problem
	for _, a := range in {
		name, value := model.StringValue(a.Name), *a.Value
		sa := p.schema[schemaName(name)]
		switch {
		case sa == nil:
			problems = append(problems, problem{name, "Attribute does not exist in the schema."})
		case !creating && !model.BoolValue(sa.Mutable):
			problems = append(problems, problem{name, "Attribute cannot be updated."})
		case value == "" && model.BoolValue(sa.Required):
			problems = append(problems, problem{name, "Required attribute cannot be deleted."})
		case value != "":
			if text := checkValue(sa, value); text != "" {
				problems = append(problems, problem{name, text})
			}
		}
	}
	if len(problems) > 0 {
		return nil, problemsError(lead, prefix, problems)
	}
	for _, a := range in {
		if v := *a.Value; v != "" {
			if err := checkFormat(model.StringValue(a.Name), v); err != nil {
				return nil, err
			}
		}
	}
	out := make([]attrChange, 0, len(in))
	for _, a := range in {
		name := schemaName(model.StringValue(a.Name))
		value := *a.Value
		if isVerifiedFlag(name) || model.StringValue(p.schema[name].AttributeDataType) == "Boolean" {
			value = strings.ToLower(value)
		}
		out = slices.DeleteFunc(out, func(c attrChange) bool { return c.name == name })
		out = append(out, attrChange{name, value})
	}
	return out, nil
}

// attrChange is one attribute write; an empty value deletes.
type attrChange struct{ name, value string }

// attrPlan is the effect of an attribute update, computed from a snapshot
// of the user and applied again to the fresh record inside the store
// transaction, so concurrent updates of other attributes are kept.
type attrPlan struct {
	changes []attrChange      // applied to the attributes as they are
	pending map[string]string // values held until verified ("" clears)
	sends   []*outgoing
	// moveAliases lets verified aliases move from another user (admin
	// updates that set *_verified=true, ForceAliasCreation).
	moveAliases bool
}

// planAttributes decides what an attribute update does to user u: the
// three e-mail/phone behaviours (not auto-verified; auto-verified; verify
// before update), verification codes, and the *_verified flags.
func (s *Service) planAttributes(p *pool, u *user, w writer, changes []attrChange) (*attrPlan, error) {
	plan := &attrPlan{pending: map[string]string{}}
	want := map[string]string{}
	for _, c := range changes {
		want[c.name] = c.value
	}
	for _, c := range changes {
		if c.name == "email" || c.name == "phone_number" {
			continue
		}
		if isVerifiedFlag(c.name) && !w.admin() && c.value == "true" {
			// Self-service can never mark a value verified.
			continue
		}
		plan.changes = append(plan.changes, c)
	}
	for _, attr := range []string{"email", "phone_number"} {
		v, ok := want[attr]
		if !ok {
			continue
		}
		flag := attr + "_verified"
		cur, has := u.doc.Attributes[attr]
		adminVerified := w.admin() && want[flag] == "true"
		switch {
		case v == "":
			plan.changes = append(plan.changes, attrChange{attr, ""}, attrChange{flag, ""})
			plan.pending[attr] = ""
		case has && v == cur:
			// The value it already has: nothing is sent, a pending change is dropped.
			if _, ok := u.doc.Pending[attr]; ok {
				plan.pending[attr] = ""
			}
		case adminVerified:
			plan.changes = append(plan.changes, attrChange{attr, v})
			plan.pending[attr] = ""
			plan.moveAliases = true
		case p.autoVerified[attr] && p.verifyBefore[attr] && has:
			plan.pending[attr] = v
			plan.sends = append(plan.sends, &outgoing{attr: attr, value: v, purpose: attr})
		case p.autoVerified[attr]:
			plan.changes = append(plan.changes, attrChange{attr, v}, attrChange{flag, "false"})
			plan.pending[attr] = ""
			plan.sends = append(plan.sends, &outgoing{attr: attr, value: v, purpose: attr})
		default:
			plan.changes = append(plan.changes, attrChange{attr, v}, attrChange{flag, "false"})
			plan.pending[attr] = ""
		}
	}
	if w.admin() {
		// *_verified=true from an administrator applies a pending value.
		for _, attr := range []string{"email", "phone_number"} {
			if _, changed := want[attr]; !changed && want[attr+"_verified"] == "true" {
				if pv, ok := u.doc.Pending[attr]; ok {
					plan.changes = append(plan.changes, attrChange{attr, pv})
					plan.pending[attr] = ""
				}
				plan.moveAliases = true
			}
		}
	}
	for _, o := range plan.sends {
		code, err := s.newCode()
		if err != nil {
			return nil, err
		}
		o.code = code
	}
	return plan, nil
}

// applyAttrs writes changes into the user's attributes.
func applyAttrs(u *user, changes []attrChange) {
	for _, c := range changes {
		if c.value == "" {
			delete(u.doc.Attributes, c.name)
		} else {
			u.doc.Attributes[c.name] = c.value
		}
	}
}

// apply performs the plan on a fresh copy of the user inside tx.
func (s *Service) applyPlan(tx store.Tx, p *pool, u *user, plan *attrPlan) error {
	before := p.aliasesOf(u)
	applyAttrs(u, plan.changes)
	for attr, v := range plan.pending {
		if v == "" {
			delete(u.doc.Pending, attr)
			continue
		}
		if err := s.checkPendingUnique(tx, p, u, attr, v); err != nil {
			return err
		}
		if u.doc.Pending == nil {
			u.doc.Pending = map[string]string{}
		}
		u.doc.Pending[attr] = v
	}
	for _, o := range plan.sends {
		if err := s.noteSend(u, o.purpose); err != nil {
			return err
		}
		s.storeCode(p, u, o.purpose, o.code, o.value)
	}
	return s.syncAliases(tx, p, u, before, plan.moveAliases)
}

// aliasesOf returns the alias keys a user holds with its current
// attributes: sign-in attributes of UsernameAttributes pools always, alias
// attributes while verified (preferred_username whenever set).
func (p *pool) aliasesOf(u *user) map[string]string {
	out := map[string]string{}
	for _, attr := range []string{"email", "phone_number", "preferred_username"} {
		v, ok := u.doc.Attributes[attr]
		if !ok || v == "" {
			continue
		}
		switch {
		case p.usernameAttrs[attr]:
		case p.aliasAttrs[attr] && (attr == "preferred_username" || u.doc.Attributes[attr+"_verified"] == "true"):
		default:
			continue
		}
		out[p.aliasKey(attr, v)] = attr
	}
	return out
}

func aliasExists(attr string) error {
	return cognito.Errorf(cognito.AliasExists, "An account with the given %s already exists.", attr)
}

// syncAliases releases the aliases u no longer holds and claims new ones.
// With move, an alias held by another user is taken from it and that user's
// attribute is marked unverified; otherwise AliasExistsException.
func (s *Service) syncAliases(tx store.Tx, p *pool, u *user, before map[string]string, move bool) error {
	after := p.aliasesOf(u)
	for key := range before {
		if _, keep := after[key]; keep {
			continue
		}
		holder, err := tx.GetAlias(p.id, key)
		if err == nil && holder == u.rec.Key {
			if err := tx.DeleteAlias(p.id, key); err != nil {
				return err
			}
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	for key, attr := range after {
		err := tx.PutAlias(p.id, key, u.rec.Key)
		if !errors.Is(err, store.ErrConflict) {
			if err != nil {
				return err
			}
			continue
		}
		if !move || p.usernameAttrs[attr] {
			return aliasExists(attr)
		}
		if err := s.takeAlias(tx, p, key, attr, u.rec.Key); err != nil {
			return err
		}
	}
	return nil
}

// takeAlias moves an alias to userKey, un-verifying the previous holder.
func (s *Service) takeAlias(tx store.Tx, p *pool, key, attr, userKey string) error {
	holderKey, err := tx.GetAlias(p.id, key)
	if err != nil {
		return err
	}
	rec, err := tx.GetUser(p.id, holderKey)
	if err != nil {
		return err
	}
	prev, err := decodeUser(rec)
	if err != nil {
		return err
	}
	if attr == "preferred_username" {
		return aliasExists(attr)
	}
	prev.doc.Attributes[attr+"_verified"] = "false"
	prev.rec.Modified = s.now().UTC()
	out, err := prev.encode()
	if err != nil {
		return err
	}
	if err := tx.PutUser(out); err != nil {
		return err
	}
	if err := tx.DeleteAlias(p.id, key); err != nil {
		return err
	}
	return tx.PutAlias(p.id, key, userKey)
}

// checkPendingUnique refuses a held value that another user already signs
// in with, in pools where that attribute is the username.
func (s *Service) checkPendingUnique(tx store.Tx, p *pool, u *user, attr, v string) error {
	if !p.usernameAttrs[attr] {
		return nil
	}
	holder, err := tx.GetAlias(p.id, p.aliasKey(attr, v))
	if errors.Is(err, store.ErrNotFound) || (err == nil && holder == u.rec.Key) {
		return nil
	}
	if err != nil {
		return err
	}
	return aliasExists(attr)
}
