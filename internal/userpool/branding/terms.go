package branding

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// defaultTermsPage is the page size of ListTerms without MaxResults (the
// model's maximum).
const defaultTermsPage = 60

// termsDoc is a stored terms document; its ID, pool and times come from
// the item.
type termsDoc struct {
	ClientID    string            `json:"client"`
	Name        string            `json:"name"`
	Source      string            `json:"source"`
	Enforcement string            `json:"enforcement"`
	Links       map[string]string `json:"links"`
}

// Unconfirmed: the messages of the terms errors.
func termsNotFound() error {
	return cognito.New(cognito.ResourceNotFound, "Terms does not exist.")
}

func termsExist(clientID, name string) error {
	return cognito.Errorf(cognito.TermsExists, "Terms %s already exist for client %s.", name, clientID)
}

// checkLinks requires a LINK document to have links, each an absolute
// http or https URL. The model already checks the language keys and the
// number of links.
//
// Unconfirmed: that Cognito requires links for TermsSource LINK and checks
// that each is a web URL; the messages.
func checkLinks(links map[string]string) error {
	if len(links) == 0 {
		return cognito.New(cognito.InvalidParameter, "Links are required when TermsSource is LINK.")
	}
	for _, lang := range slices.Sorted(maps.Keys(links)) {
		u, err := url.Parse(links[lang])
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return cognito.Errorf(cognito.InvalidParameter, "The link for %s is not a valid URL.", lang)
		}
	}
	return nil
}

func termsType(it store.Item, d termsDoc) *model.TermsType {
	return &model.TermsType{
		TermsId: model.String(it.ID), UserPoolId: model.String(it.PoolID), ClientId: model.String(d.ClientID),
		TermsName: model.String(d.Name), TermsSource: model.String(d.Source), Enforcement: model.String(d.Enforcement),
		Links: maps.Clone(d.Links), CreationDate: model.NewTime(it.Created), LastModifiedDate: model.NewTime(it.Modified),
	}
}

func loadTerms(tx store.Tx, poolID, id string) (store.Item, termsDoc, error) {
	var d termsDoc
	it, found, err := core.GetItemDoc(tx, poolID, core.TermsKind, id, &d)
	if err != nil {
		return store.Item{}, d, err
	}
	if !found {
		return store.Item{}, d, termsNotFound()
	}
	return it, d, nil
}

func encodeTerms(it *store.Item, d termsDoc) error {
	b, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("terms %s: %w", it.ID, err)
	}
	it.Data = b
	return nil
}

// claimTermsName records that the client's document called name is id;
// TermsExistsException when the client has one of that name.
func claimTermsName(tx store.Tx, it store.Item, d termsDoc) error {
	idx := store.Item{PoolID: it.PoolID, Kind: core.TermsByClientKind, ID: core.TermsIndexKey(d.ClientID, d.Name),
		Created: it.Modified, Modified: it.Modified, Data: []byte(it.ID)}
	if err := tx.CreateItem(idx); errors.Is(err, store.ErrConflict) {
		return termsExist(d.ClientID, d.Name)
	} else if err != nil {
		return err
	}
	return nil
}

// CreateTerms adds a terms-of-use or privacy-policy document to an app
// client; a client has at most one of each name.
func (s *Service) CreateTerms(ctx context.Context, in *model.CreateTermsRequest) (*model.CreateTermsResponse, error) {
	poolID := model.StringValue(in.UserPoolId)
	d := termsDoc{ClientID: model.StringValue(in.ClientId), Name: model.StringValue(in.TermsName),
		Source: model.StringValue(in.TermsSource), Enforcement: model.StringValue(in.Enforcement), Links: in.Links}
	id, err := s.NewUUID()
	if err != nil {
		return nil, err
	}
	var out *model.TermsType
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		if _, err := s.LoadPool(tx, poolID); err != nil {
			return err
		}
		if _, err := s.LoadClient(tx, poolID, d.ClientID); err != nil {
			return err
		}
		if err := checkLinks(d.Links); err != nil {
			return err
		}
		now := s.Now().UTC()
		it := store.Item{PoolID: poolID, Kind: core.TermsKind, ID: id, Created: now, Modified: now}
		if err := claimTermsName(tx, it, d); err != nil {
			return err
		}
		if err := encodeTerms(&it, d); err != nil {
			return err
		}
		if err := tx.CreateItem(it); err != nil {
			return err
		}
		out = termsType(it, d)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.CreateTermsResponse{Terms: out}, nil
}

// DescribeTerms returns a terms document.
func (s *Service) DescribeTerms(ctx context.Context, in *model.DescribeTermsRequest) (*model.DescribeTermsResponse, error) {
	poolID := model.StringValue(in.UserPoolId)
	var out *model.TermsType
	err := s.Store.View(ctx, func(tx store.Tx) error {
		if _, err := s.LoadPool(tx, poolID); err != nil {
			return err
		}
		it, d, err := loadTerms(tx, poolID, model.StringValue(in.TermsId))
		if err != nil {
			return err
		}
		out = termsType(it, d)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.DescribeTermsResponse{Terms: out}, nil
}

// UpdateTerms changes the members of a terms document the request names
// and keeps the others. A new TermsName must be free on the client.
//
// Unconfirmed: that members left out are kept rather than cleared.
func (s *Service) UpdateTerms(ctx context.Context, in *model.UpdateTermsRequest) (*model.UpdateTermsResponse, error) {
	poolID := model.StringValue(in.UserPoolId)
	var out *model.TermsType
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		if _, err := s.LoadPool(tx, poolID); err != nil {
			return err
		}
		it, d, err := loadTerms(tx, poolID, model.StringValue(in.TermsId))
		if err != nil {
			return err
		}
		oldName := d.Name
		if in.TermsName != nil {
			d.Name = *in.TermsName
		}
		if in.TermsSource != nil {
			d.Source = *in.TermsSource
		}
		if in.Enforcement != nil {
			d.Enforcement = *in.Enforcement
		}
		if in.Links != nil {
			d.Links = in.Links
		}
		if err := checkLinks(d.Links); err != nil {
			return err
		}
		it.Modified = s.Now().UTC()
		if d.Name != oldName {
			if err := claimTermsName(tx, it, d); err != nil {
				return err
			}
			if err := tx.DeleteItem(poolID, core.TermsByClientKind, core.TermsIndexKey(d.ClientID, oldName)); err != nil && !core.IsNotFound(err) {
				return err
			}
		}
		if err := encodeTerms(&it, d); err != nil {
			return err
		}
		if err := tx.PutItem(it); err != nil {
			return core.MapStoreErr(err, termsNotFound())
		}
		out = termsType(it, d)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.UpdateTermsResponse{Terms: out}, nil
}

// DeleteTerms removes a terms document.
func (s *Service) DeleteTerms(ctx context.Context, in *model.DeleteTermsRequest) (any, error) {
	poolID := model.StringValue(in.UserPoolId)
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		if _, err := s.LoadPool(tx, poolID); err != nil {
			return err
		}
		it, d, err := loadTerms(tx, poolID, model.StringValue(in.TermsId))
		if err != nil {
			return err
		}
		if err := tx.DeleteItem(poolID, core.TermsByClientKind, core.TermsIndexKey(d.ClientID, d.Name)); err != nil && !core.IsNotFound(err) {
			return err
		}
		return tx.DeleteItem(poolID, core.TermsKind, it.ID)
	})
	return nil, err
}

// ListTerms lists the terms documents of a pool, of every client, in
// TermsId order.
//
// Unconfirmed: Cognito does not document the order.
func (s *Service) ListTerms(ctx context.Context, in *model.ListTermsRequest) (*model.ListTermsResponse, error) {
	poolID := model.StringValue(in.UserPoolId)
	after, err := core.DecodePageToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := defaultTermsPage
	if n := int(model.Int32Value(in.MaxResults)); n > 0 {
		limit = n
	}
	out := &model.ListTermsResponse{Terms: []model.TermsDescriptionType{}}
	err = s.Store.View(ctx, func(tx store.Tx) error {
		if _, err := s.LoadPool(tx, poolID); err != nil {
			return err
		}
		items, err := tx.ListItems(poolID, core.TermsKind, after, limit+1)
		if err != nil {
			return err
		}
		for i, it := range items {
			if i == limit {
				out.NextToken = core.EncodePageToken(items[i-1].ID)
				break
			}
			var d termsDoc
			if err := json.Unmarshal(it.Data, &d); err != nil {
				return fmt.Errorf("terms %s: %w", it.ID, err)
			}
			out.Terms = append(out.Terms, model.TermsDescriptionType{
				TermsId: model.String(it.ID), TermsName: model.String(d.Name), Enforcement: model.String(d.Enforcement),
				CreationDate: model.NewTime(it.Created), LastModifiedDate: model.NewTime(it.Modified),
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
