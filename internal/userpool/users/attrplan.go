package users

import (
	"errors"
	"slices"
	"strings"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/delivery"
)

// Writer says who writes attributes: a user through an app client (client
// set) or an administrator (client nil).
type Writer struct {
	Client *core.Client
}

func (w Writer) admin() bool { return w.Client == nil }

// canWrite applies the app client's WriteAttributes. Developer-only
// attributes are never writable with a token; required attributes always
// are. Unset, every other attribute except the *_verified flags is
// writable (custom ones included: Cognito's default there is unconfirmed).
func (w Writer) canWrite(p *core.Pool, name string) bool {
	if w.admin() {
		return true
	}
	if strings.HasPrefix(name, "dev:") {
		return false
	}
	a := p.Schema[name]
	if a != nil && model.BoolValue(a.DeveloperOnlyAttribute) {
		return false
	}
	if a != nil && model.BoolValue(a.Required) && name != "sub" {
		return true
	}
	if list := w.Client.Cfg.WriteAttributes; list != nil {
		return slices.Contains(list, name)
	}
	return !core.IsVerifiedFlag(name)
}

// CheckAttributes validates a list of attribute writes (an empty value
// deletes) and returns them as an ordered name→value list, last write of a
// name winning. lead and prefix shape schema errors: ("", "user.") for
// attribute updates, ("Attributes did not conform to the schema: ", "") at
// sign-up. creating allows immutable attributes to be set.
func CheckAttributes(p *core.Pool, w Writer, in []model.AttributeType, lead, prefix string, creating bool) ([]core.AttrChange, error) {
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
	var problems []core.Problem
	for _, a := range in {
		name, value := model.StringValue(a.Name), *a.Value
		sa := p.Schema[core.SchemaName(name)]
		switch {
		case sa == nil:
			problems = append(problems, core.Problem{Name: name, Text: "Attribute does not exist in the schema."})
		case !creating && !model.BoolValue(sa.Mutable):
			problems = append(problems, core.Problem{Name: name, Text: "Attribute cannot be updated."})
		case value == "" && model.BoolValue(sa.Required):
			problems = append(problems, core.Problem{Name: name, Text: "Required attribute cannot be deleted."})
		case value != "":
			if text := core.CheckValue(sa, value); text != "" {
				problems = append(problems, core.Problem{Name: name, Text: text})
			}
		}
	}
	if len(problems) > 0 {
		return nil, core.ProblemsError(lead, prefix, problems)
	}
	for _, a := range in {
		if v := *a.Value; v != "" {
			if err := core.CheckFormat(model.StringValue(a.Name), v); err != nil {
				return nil, err
			}
		}
	}
	out := make([]core.AttrChange, 0, len(in))
	for _, a := range in {
		name := core.SchemaName(model.StringValue(a.Name))
		value := *a.Value
		if core.IsVerifiedFlag(name) || model.StringValue(p.Schema[name].AttributeDataType) == "Boolean" {
			value = strings.ToLower(value)
		}
		out = slices.DeleteFunc(out, func(c core.AttrChange) bool { return c.Name == name })
		out = append(out, core.AttrChange{Name: name, Value: value})
	}
	return out, nil
}

// attrPlan is the effect of an attribute update, computed from a snapshot
// of the user and applied again to the fresh record inside the store
// transaction, so concurrent updates of other attributes are kept.
type attrPlan struct {
	Changes []core.AttrChange // applied to the attributes as they are
	Pending map[string]string // values held until verified ("" clears)
	Sends   []*delivery.Outgoing
	// moveAliases lets verified aliases move from another user (admin
	// updates that set *_verified=true, ForceAliasCreation).
	moveAliases bool
}

// PlanAttributes decides what an attribute update does to user u: the
// three e-mail/phone behaviours (not auto-verified; auto-verified; verify
// before update), verification codes, and the *_verified flags.
func (s *Service) PlanAttributes(p *core.Pool, u *core.User, w Writer, changes []core.AttrChange) (*attrPlan, error) {
	plan := &attrPlan{Pending: map[string]string{}}
	want := map[string]string{}
	for _, c := range changes {
		want[c.Name] = c.Value
	}
	for _, c := range changes {
		if c.Name == "email" || c.Name == "phone_number" {
			continue
		}
		if core.IsVerifiedFlag(c.Name) && !w.admin() && c.Value == "true" {
			// Self-service can never mark a value verified.
			continue
		}
		plan.Changes = append(plan.Changes, c)
	}
	for _, attr := range []string{"email", "phone_number"} {
		v, ok := want[attr]
		if !ok {
			continue
		}
		flag := attr + "_verified"
		cur, has := u.Doc.Attributes[attr]
		adminVerified := w.admin() && want[flag] == "true"
		switch {
		case v == "":
			plan.Changes = append(plan.Changes, core.AttrChange{Name: attr, Value: ""}, core.AttrChange{Name: flag, Value: ""})
			plan.Pending[attr] = ""
		case has && v == cur:
			// The value it already has: nothing is sent, a pending change is dropped.
			if _, ok := u.Doc.Pending[attr]; ok {
				plan.Pending[attr] = ""
			}
		case adminVerified:
			plan.Changes = append(plan.Changes, core.AttrChange{Name: attr, Value: v})
			plan.Pending[attr] = ""
			plan.moveAliases = true
		case p.AutoVerified[attr] && p.VerifyBefore[attr] && has:
			plan.Pending[attr] = v
			plan.Sends = append(plan.Sends, &delivery.Outgoing{Attr: attr, Value: v, Purpose: attr})
		case p.AutoVerified[attr]:
			plan.Changes = append(plan.Changes, core.AttrChange{Name: attr, Value: v}, core.AttrChange{Name: flag, Value: "false"})
			plan.Pending[attr] = ""
			plan.Sends = append(plan.Sends, &delivery.Outgoing{Attr: attr, Value: v, Purpose: attr})
		default:
			plan.Changes = append(plan.Changes, core.AttrChange{Name: attr, Value: v}, core.AttrChange{Name: flag, Value: "false"})
			plan.Pending[attr] = ""
		}
	}
	if w.admin() {
		// *_verified=true from an administrator applies a pending value.
		for _, attr := range []string{"email", "phone_number"} {
			if _, changed := want[attr]; !changed && want[attr+"_verified"] == "true" {
				if pv, ok := u.Doc.Pending[attr]; ok {
					plan.Changes = append(plan.Changes, core.AttrChange{Name: attr, Value: pv})
					plan.Pending[attr] = ""
				}
				plan.moveAliases = true
			}
		}
	}
	for _, o := range plan.Sends {
		code, err := s.delivery.NewCode()
		if err != nil {
			return nil, err
		}
		o.Code = code
	}
	return plan, nil
}

// ApplyAttrs writes changes into the user's attributes.
func ApplyAttrs(u *core.User, changes []core.AttrChange) {
	for _, c := range changes {
		if c.Value == "" {
			delete(u.Doc.Attributes, c.Name)
		} else {
			u.Doc.Attributes[c.Name] = c.Value
		}
	}
}

// apply performs the plan on a fresh copy of the user inside tx.
func (s *Service) applyPlan(tx store.Tx, p *core.Pool, u *core.User, plan *attrPlan) error {
	before := p.AliasesOf(u)
	ApplyAttrs(u, plan.Changes)
	for attr, v := range plan.Pending {
		if v == "" {
			delete(u.Doc.Pending, attr)
			continue
		}
		if err := s.checkPendingUnique(tx, p, u, attr, v); err != nil {
			return err
		}
		if u.Doc.Pending == nil {
			u.Doc.Pending = map[string]string{}
		}
		u.Doc.Pending[attr] = v
	}
	for _, o := range plan.Sends {
		if err := s.delivery.NoteSend(u, o.Purpose); err != nil {
			return err
		}
		s.delivery.StoreCode(p, u, o.Purpose, o.Code, o.Value)
	}
	return s.SyncAliases(tx, p, u, before, plan.moveAliases)
}

func aliasExists(attr string) error {
	return cognito.Errorf(cognito.AliasExists, "An account with the given %s already exists.", attr)
}

// SyncAliases releases the aliases u no longer holds and claims new ones.
// With move, an alias held by another user is taken from it and that user's
// attribute is marked unverified; otherwise AliasExistsException.
func (s *Service) SyncAliases(tx store.Tx, p *core.Pool, u *core.User, before map[string]string, move bool) error {
	after := p.AliasesOf(u)
	for key := range before {
		if _, keep := after[key]; keep {
			continue
		}
		holder, err := tx.GetAlias(p.Id, key)
		if err == nil && holder == u.Rec.Key {
			if err := tx.DeleteAlias(p.Id, key); err != nil {
				return err
			}
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	for key, attr := range after {
		err := tx.PutAlias(p.Id, key, u.Rec.Key)
		if !errors.Is(err, store.ErrConflict) {
			if err != nil {
				return err
			}
			continue
		}
		if !move || p.UsernameAttrs[attr] {
			return aliasExists(attr)
		}
		if err := s.takeAlias(tx, p, key, attr, u.Rec.Key); err != nil {
			return err
		}
	}
	return nil
}

// takeAlias moves an alias to userKey, un-verifying the previous holder.
func (s *Service) takeAlias(tx store.Tx, p *core.Pool, key, attr, userKey string) error {
	holderKey, err := tx.GetAlias(p.Id, key)
	if err != nil {
		return err
	}
	rec, err := tx.GetUser(p.Id, holderKey)
	if err != nil {
		return err
	}
	prev, err := core.DecodeUser(rec)
	if err != nil {
		return err
	}
	if attr == "preferred_username" {
		return aliasExists(attr)
	}
	prev.Doc.Attributes[attr+"_verified"] = "false"
	prev.Rec.Modified = s.Now().UTC()
	out, err := prev.Encode()
	if err != nil {
		return err
	}
	if err := tx.PutUser(out); err != nil {
		return err
	}
	if err := tx.DeleteAlias(p.Id, key); err != nil {
		return err
	}
	return tx.PutAlias(p.Id, key, userKey)
}

// checkPendingUnique refuses a held value that another user already signs
// in with, in pools where that attribute is the username.
func (s *Service) checkPendingUnique(tx store.Tx, p *core.Pool, u *core.User, attr, v string) error {
	if !p.UsernameAttrs[attr] {
		return nil
	}
	holder, err := tx.GetAlias(p.Id, p.AliasKey(attr, v))
	if errors.Is(err, store.ErrNotFound) || (err == nil && holder == u.Rec.Key) {
		return nil
	}
	if err != nil {
		return err
	}
	return aliasExists(attr)
}

// CanWrite reports whether a user may write attribute name with a token
// of client c, as UpdateUserAttributes decides it.
func CanWrite(p *core.Pool, c *core.Client, name string) bool {
	return Writer{Client: c}.canWrite(p, name)
}
