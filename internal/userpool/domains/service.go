package domains

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// Kind is the store item kind of domains: PoolID "" items keyed by the
// domain name, and each pool's own items keyed by slot.
const Kind = "domain"

// A pool has at most one domain of each kind, kept under these IDs.
// Unconfirmed: Cognito lets a pool hold a prefix domain and a custom
// domain at the same time (DescribeUserPool has Domain and CustomDomain);
// a second domain of the same kind is refused.
const (
	prefixSlot = "prefix"
	customSlot = "custom"
)

// Service implements the user pool domain operations.
type Service struct {
	*core.Env
}

// New returns a Service.
func New(env *core.Env) *Service { return &Service{Env: env} }

// record is what the PoolID "" item of a domain stores.
type record struct {
	Pool                string `json:"pool"`
	CertificateArn      string `json:"certificateArn,omitempty"`
	ManagedLoginVersion int32  `json:"managedLoginVersion"`
	CloudFront          string `json:"cloudFront,omitempty"`
	Version             string `json:"version"`
}

func (r record) custom() bool { return r.CertificateArn != "" }

// slotDoc is what a pool's own domain item stores.
type slotDoc struct {
	Domain string `json:"domain"`
}

// reservedWords may not appear in a prefix domain.
// Unconfirmed: the words are the ones Cognito's console names; the text
// of the error was not found.
func reservedWord(prefix string) error {
	for _, w := range []string{"aws", "amazon", "cognito"} {
		if strings.Contains(prefix, w) {
			return cognito.Errorf(cognito.InvalidParameter, "Domain cannot contain reserved word: %s", w)
		}
	}
	return nil
}

func taken() error {
	return cognito.New(cognito.InvalidParameter, "Domain already associated with another user pool.")
}

// Unconfirmed: the text Cognito sends for a domain the pool does not have.
func noSuchDomain() error {
	return cognito.New(cognito.InvalidParameter, "No such domain or user pool exists.")
}

// loginVersion returns the managed login version asked for, 1 (the
// classic hosted UI) when v is nil.
// Unconfirmed: that the API default is 1 and the text for other values.
func loginVersion(v *int32) (int32, error) {
	if v == nil {
		return 1, nil
	}
	if *v != 1 && *v != 2 {
		return 0, cognito.Errorf(cognito.InvalidParameter, "ManagedLoginVersion must be 1 or 2, not %d.", *v)
	}
	return *v, nil
}

func put(tx store.Tx, it store.Item, v any, create bool) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	it.Data = b
	if create {
		return tx.CreateItem(it)
	}
	return tx.PutItem(it)
}

// load returns the record of domain name and its item.
func load(tx store.Tx, name string) (record, store.Item, error) {
	it, err := tx.GetItem("", Kind, name)
	if err != nil {
		return record{}, it, err
	}
	var r record
	if err := json.Unmarshal(it.Data, &r); err != nil {
		return record{}, it, fmt.Errorf("domain %s: %w", name, err)
	}
	return r, it, nil
}

// owned returns the record of domain name when pool poolID holds it.
func owned(tx store.Tx, poolID, name string) (record, store.Item, error) {
	r, it, err := load(tx, name)
	if core.IsNotFound(err) || err == nil && r.Pool != poolID {
		return record{}, it, noSuchDomain()
	}
	return r, it, err
}

// Of returns the prefix and custom domain of a pool, "" where it has none.
func Of(tx store.Tx, poolID string) (prefix, custom string, err error) {
	items, err := tx.ListItems(poolID, Kind, "", 2)
	if err != nil {
		return "", "", err
	}
	for _, it := range items {
		var d slotDoc
		if err := json.Unmarshal(it.Data, &d); err != nil {
			return "", "", fmt.Errorf("domain of %s: %w", poolID, err)
		}
		switch it.ID {
		case prefixSlot:
			prefix = d.Domain
		case customSlot:
			custom = d.Domain
		}
	}
	return prefix, custom, nil
}

// Release frees the domain names of a pool, for DeleteUserPool: it runs in
// the transaction that deletes the pool, which removes the pool's own
// items but not the PoolID "" ones.
func Release(tx store.Tx, poolID string) error {
	prefix, custom, err := Of(tx, poolID)
	if err != nil {
		return err
	}
	for _, name := range []string{prefix, custom} {
		if name == "" {
			continue
		}
		if err := tx.DeleteItem("", Kind, name); err != nil && !core.IsNotFound(err) {
			return err
		}
	}
	return nil
}

// CreateUserPoolDomain gives a pool a prefix domain, or a custom domain
// when CustomDomainConfig is set. Custom domains are accepted and stored;
// Cognate has no CloudFront distribution, so CloudFrontDomain is a made-up
// name in the form of one.
func (s *Service) CreateUserPoolDomain(ctx context.Context, in *model.CreateUserPoolDomainRequest) (*model.CreateUserPoolDomainResponse, error) {
	name := model.StringValue(in.Domain)
	version, err := loginVersion(in.ManagedLoginVersion)
	if err != nil {
		return nil, err
	}
	r := record{ManagedLoginVersion: version, Version: s.Now().UTC().Format("20060102150405")}
	slot := prefixSlot
	if in.CustomDomainConfig != nil {
		slot = customSlot
		r.CertificateArn = model.StringValue(in.CustomDomainConfig.CertificateArn)
		tail, err := core.RandomString(s.Random, core.LowerDigits, 13)
		if err != nil {
			return nil, err
		}
		// Unconfirmed: the form of CloudFront names (d + 13 characters).
		r.CloudFront = "d" + tail + ".cloudfront.net"
	} else if err := reservedWord(name); err != nil {
		return nil, err
	}
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		p, err := s.LoadPool(tx, model.StringValue(in.UserPoolId))
		if err != nil {
			return err
		}
		r.Pool = p.Id
		if _, err := tx.GetItem(p.Id, Kind, slot); err == nil {
			return cognito.New(cognito.InvalidParameter, "User pool already has a domain configured.")
		} else if !core.IsNotFound(err) {
			return err
		}
		now := s.Now().UTC()
		err = put(tx, store.Item{PoolID: "", Kind: Kind, ID: name, Created: now, Modified: now}, r, true)
		if errors.Is(err, store.ErrConflict) {
			return taken()
		} else if err != nil {
			return err
		}
		return put(tx, store.Item{PoolID: p.Id, Kind: Kind, ID: slot, Created: now, Modified: now}, slotDoc{Domain: name}, true)
	})
	if err != nil {
		return nil, err
	}
	out := &model.CreateUserPoolDomainResponse{ManagedLoginVersion: model.Int32(version)}
	if r.custom() {
		out.CloudFrontDomain = model.String(r.CloudFront)
	}
	return out, nil
}

// DescribeUserPoolDomain describes a domain of any pool. An unknown domain
// is not an error: Cognito answers it with an empty DomainDescription.
func (s *Service) DescribeUserPoolDomain(ctx context.Context, in *model.DescribeUserPoolDomainRequest) (*model.DescribeUserPoolDomainResponse, error) {
	name := model.StringValue(in.Domain)
	out := &model.DescribeUserPoolDomainResponse{DomainDescription: &model.DomainDescriptionType{}}
	err := s.Store.View(ctx, func(tx store.Tx) error {
		r, _, err := load(tx, name)
		if core.IsNotFound(err) {
			return nil
		} else if err != nil {
			return err
		}
		d := out.DomainDescription
		d.UserPoolId, d.AWSAccountId, d.Domain = model.String(r.Pool), model.String(core.AccountID), model.String(name)
		// Unconfirmed: Cognito shows CREATING for a while; Cognate's
		// domains are usable at once.
		d.Status = model.String("ACTIVE")
		d.Version = model.String(r.Version)
		d.ManagedLoginVersion = model.Int32(r.ManagedLoginVersion)
		if r.custom() {
			d.CloudFrontDistribution = model.String(r.CloudFront)
			d.CustomDomainConfig = &model.CustomDomainConfigType{CertificateArn: model.String(r.CertificateArn)}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateUserPoolDomain changes a domain's managed login version (kept
// when omitted) and, for a custom domain, its certificate.
func (s *Service) UpdateUserPoolDomain(ctx context.Context, in *model.UpdateUserPoolDomainRequest) (*model.UpdateUserPoolDomainResponse, error) {
	name := model.StringValue(in.Domain)
	var r record
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		p, err := s.LoadPool(tx, model.StringValue(in.UserPoolId))
		if err != nil {
			return err
		}
		var it store.Item
		r, it, err = owned(tx, p.Id, name)
		if err != nil {
			return err
		}
		if in.ManagedLoginVersion != nil {
			if r.ManagedLoginVersion, err = loginVersion(in.ManagedLoginVersion); err != nil {
				return err
			}
		}
		if in.CustomDomainConfig != nil {
			if !r.custom() {
				// Unconfirmed: Cognito's answer to a certificate for a
				// prefix domain.
				return cognito.New(cognito.InvalidParameter, "CustomDomainConfig can only be set for a custom domain.")
			}
			r.CertificateArn = model.StringValue(in.CustomDomainConfig.CertificateArn)
		}
		it.Modified = s.Now().UTC()
		return put(tx, it, r, false)
	})
	if err != nil {
		return nil, err
	}
	out := &model.UpdateUserPoolDomainResponse{ManagedLoginVersion: model.Int32(r.ManagedLoginVersion)}
	if r.custom() {
		out.CloudFrontDomain = model.String(r.CloudFront)
	}
	return out, nil
}

// DeleteUserPoolDomain removes a domain from its pool and frees its name.
func (s *Service) DeleteUserPoolDomain(ctx context.Context, in *model.DeleteUserPoolDomainRequest) (any, error) {
	name := model.StringValue(in.Domain)
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		p, err := s.LoadPool(tx, model.StringValue(in.UserPoolId))
		if err != nil {
			return err
		}
		r, _, err := owned(tx, p.Id, name)
		if err != nil {
			return err
		}
		slot := prefixSlot
		if r.custom() {
			slot = customSlot
		}
		if err := tx.DeleteItem("", Kind, name); err != nil {
			return err
		}
		return tx.DeleteItem(p.Id, Kind, slot)
	})
	return nil, err
}

// PoolOfPrefix returns the pool whose prefix domain is prefix, "" when no
// pool has it.
func PoolOfPrefix(tx store.Tx, prefix string) (string, error) {
	r, _, err := load(tx, prefix)
	if core.IsNotFound(err) || err == nil && r.custom() {
		return "", nil
	}
	return r.Pool, err
}

// LoginVersion returns the managed login version of a pool's domain: 1
// for the classic hosted UI, 2 for managed login, 0 when the pool has no
// domain.
//
// Unconfirmed: a pool with both a prefix and a custom domain shows the
// prefix domain's version on either, since the pages are served by path
// as well as by host and cannot always tell which domain was used.
func LoginVersion(tx store.Tx, poolID string) (int32, error) {
	prefix, custom, err := Of(tx, poolID)
	if err != nil {
		return 0, err
	}
	for _, name := range []string{prefix, custom} {
		if name == "" {
			continue
		}
		r, _, err := load(tx, name)
		if core.IsNotFound(err) {
			continue
		} else if err != nil {
			return 0, err
		}
		return r.ManagedLoginVersion, nil
	}
	return 0, nil
}
