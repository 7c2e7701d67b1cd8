package pools

import (
	"context"
	"slices"
	"time"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// Unconfirmed: the texts of the client secret errors, and that a client
// without a secret (a public client) may be given one by
// AddUserPoolClientSecret, after which it requires SECRET_HASH like any
// client with a secret (its DescribeUserPoolClient still shows no
// ClientSecret: only CreateUserPoolClient's secret is ever shown there).
func tooManySecrets() error {
	return cognito.Errorf(cognito.LimitExceeded, "The app client already has the maximum number of client secrets (%d).", core.MaxClientSecrets)
}

func lastSecret() error {
	return cognito.New(cognito.InvalidParameter, "The last client secret of an app client cannot be deleted.")
}

func secretNotFound(id string) error {
	return cognito.Errorf(cognito.ResourceNotFound, "Client secret %s does not exist.", id)
}

// changeSecrets applies change to an app client's secrets in one
// transaction. Secrets are credentials, not settings: LastModifiedDate
// stays as it was.
func (s *Service) changeSecrets(ctx context.Context, poolID, clientID string, change func(secrets []core.ClientSecret) ([]core.ClientSecret, error)) error {
	return s.Store.Update(ctx, func(tx store.Tx) error {
		if _, err := s.LoadPool(tx, poolID); err != nil {
			return err
		}
		c, err := s.LoadClient(tx, poolID, clientID)
		if err != nil {
			return err
		}
		// The cached client is shared: change works on a copy.
		secrets, err := change(slices.Clone(c.Secrets))
		if err != nil {
			return err
		}
		data, err := core.EncodeClient(c.Cfg, secrets)
		if err != nil {
			return err
		}
		return tx.PutClient(store.Client{PoolID: poolID, ID: clientID, Name: model.StringValue(c.Cfg.ClientName),
			Created: c.Cfg.CreationDate.Time, Modified: s.Now().UTC(), Data: data})
	})
}

// AddUserPoolClientSecret gives an app client another secret, generated
// or supplied; a client has at most two. The value is returned only when
// Cognate generated it.
func (s *Service) AddUserPoolClientSecret(ctx context.Context, in *model.AddUserPoolClientSecretRequest) (*model.AddUserPoolClientSecretResponse, error) {
	poolID, clientID := model.StringValue(in.UserPoolId), model.StringValue(in.ClientId)
	value, generated := model.StringValue(in.ClientSecret), in.ClientSecret == nil
	if generated {
		v, err := s.NewClientSecret()
		if err != nil {
			return nil, err
		}
		value = v
	}
	var added core.ClientSecret
	err := s.changeSecrets(ctx, poolID, clientID, func(secrets []core.ClientSecret) ([]core.ClientSecret, error) {
		if len(secrets) >= core.MaxClientSecrets {
			return nil, tooManySecrets()
		}
		// IDs carry the creation time; two secrets of one millisecond
		// would share one, so the later is dated a millisecond on.
		created := s.Now().UTC()
		for slices.ContainsFunc(secrets, func(x core.ClientSecret) bool { return x.ID == core.SecretID(clientID, created) }) {
			created = created.Add(time.Millisecond)
		}
		added = core.ClientSecret{ID: core.SecretID(clientID, created), Value: value, Created: created}
		return append(secrets, added), nil
	})
	if err != nil {
		return nil, err
	}
	d := &model.ClientSecretDescriptorType{ClientSecretId: model.String(added.ID), ClientSecretCreateDate: model.NewTime(added.Created)}
	if generated {
		d.ClientSecretValue = model.String(added.Value)
	}
	return &model.AddUserPoolClientSecretResponse{ClientSecretDescriptor: d}, nil
}

// ListUserPoolClientSecrets lists an app client's secrets, oldest first,
// without their values. There are at most two, so there is one page.
func (s *Service) ListUserPoolClientSecrets(ctx context.Context, in *model.ListUserPoolClientSecretsRequest) (*model.ListUserPoolClientSecretsResponse, error) {
	var c *core.Client
	err := s.Store.View(ctx, func(tx store.Tx) error {
		if _, err := s.LoadPool(tx, model.StringValue(in.UserPoolId)); err != nil {
			return err
		}
		var err error
		c, err = s.LoadClient(tx, model.StringValue(in.UserPoolId), model.StringValue(in.ClientId))
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &model.ListUserPoolClientSecretsResponse{ClientSecrets: []model.ClientSecretDescriptorType{}}
	for _, sec := range c.Secrets {
		out.ClientSecrets = append(out.ClientSecrets, model.ClientSecretDescriptorType{
			ClientSecretId: model.String(sec.ID), ClientSecretCreateDate: model.NewTime(sec.Created),
		})
	}
	return out, nil
}

// DeleteUserPoolClientSecret deletes one of an app client's secrets; the
// last one cannot be deleted. Deleting the secret CreateUserPoolClient made
// removes ClientSecret from DescribeUserPoolClient.
func (s *Service) DeleteUserPoolClientSecret(ctx context.Context, in *model.DeleteUserPoolClientSecretRequest) (*model.DeleteUserPoolClientSecretResponse, error) {
	id := model.StringValue(in.ClientSecretId)
	err := s.changeSecrets(ctx, model.StringValue(in.UserPoolId), model.StringValue(in.ClientId), func(secrets []core.ClientSecret) ([]core.ClientSecret, error) {
		i := slices.IndexFunc(secrets, func(x core.ClientSecret) bool { return x.ID == id })
		if i < 0 {
			return nil, secretNotFound(id)
		}
		if len(secrets) == 1 {
			return nil, lastSecret()
		}
		return slices.Delete(secrets, i, i+1), nil
	})
	if err != nil {
		return nil, err
	}
	return &model.DeleteUserPoolClientSecretResponse{}, nil
}
