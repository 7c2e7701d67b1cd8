package core

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/cognate-idp/cognate/internal/model"
)

// MaxClientSecrets is how many secrets an app client can have at once.
const MaxClientSecrets = 2

// ClientSecret is one of an app client's secrets. Every current secret
// passes the SECRET_HASH and ClientSecret checks, so a secret can be
// rotated without downtime.
type ClientSecret struct {
	ID      string    `json:"id"`
	Value   string    `json:"value"`
	Created time.Time `json:"created"`
	// Described marks the secret CreateUserPoolClient made:
	// DescribeUserPoolClient shows it as ClientSecret while it exists.
	// Secrets added later never show there, and none takes its place.
	Described bool `json:"described,omitempty"`
}

// clientDoc is the stored document of an app client: the configuration as
// DescribeUserPoolClient shows it, except that the secrets live only in
// Secrets (ClientSecret is derived from them when read).
type clientDoc struct {
	model.UserPoolClientType
	Secrets []ClientSecret `json:"CognateSecrets,omitzero"`
}

// SecretID returns the ClientSecretId of a client's secret made at
// created: <client-id>--<epoch-create-time>, as Cognito documents it.
//
// Unconfirmed: the unit of the epoch; Cognate uses milliseconds.
func SecretID(clientID string, created time.Time) string {
	return clientID + "--" + strconv.FormatInt(created.UnixMilli(), 10)
}

// DecodeClient reads an app client's stored document. A document written
// before clients had several secrets holds its one secret in ClientSecret;
// it becomes the described secret, with an ID from the client's creation
// time, so that it keeps the same ID on every read.
func DecodeClient(data []byte) (*Client, error) {
	var doc clientDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	c := &Client{Cfg: doc.UserPoolClientType, Secrets: doc.Secrets}
	if c.Secrets == nil && model.StringValue(c.Cfg.ClientSecret) != "" {
		var created time.Time
		if c.Cfg.CreationDate != nil {
			created = c.Cfg.CreationDate.Time
		}
		c.Secrets = []ClientSecret{{
			ID: SecretID(model.StringValue(c.Cfg.ClientId), created), Value: *c.Cfg.ClientSecret,
			Created: created, Described: true,
		}}
	}
	c.Cfg.ClientSecret = nil
	for _, sec := range c.Secrets {
		if sec.Described {
			c.Cfg.ClientSecret = model.String(sec.Value)
		}
	}
	return c, nil
}

// EncodeClient returns the stored document of an app client with cfg and
// secrets; cfg's ClientSecret is ignored.
func EncodeClient(cfg model.UserPoolClientType, secrets []ClientSecret) ([]byte, error) {
	cfg.ClientSecret = nil
	b, err := json.Marshal(clientDoc{UserPoolClientType: cfg, Secrets: secrets})
	if err != nil {
		return nil, fmt.Errorf("encode client %s: %w", model.StringValue(cfg.ClientId), err)
	}
	return b, nil
}

// HasSecret reports whether the client has a secret, and so requires
// SECRET_HASH or ClientSecret.
func (c *Client) HasSecret() bool { return len(c.Secrets) > 0 }

// MatchesSecret reports whether given is one of the client's secrets.
// Every secret is compared, in constant time, whatever matches first.
func (c *Client) MatchesSecret(given string) bool {
	ok := 0
	for _, sec := range c.Secrets {
		ok |= subtle.ConstantTimeCompare([]byte(sec.Value), []byte(given))
	}
	return ok == 1
}

// SecretHash is the SECRET_HASH of username under the client's newest
// secret, for sign-ins the server runs on the client's behalf (the hosted
// login pages); "" for a client without a secret.
func (c *Client) SecretHash(username string) string {
	if len(c.Secrets) == 0 {
		return ""
	}
	m := hmac.New(sha256.New, []byte(c.Secrets[len(c.Secrets)-1].Value))
	m.Write([]byte(username + model.StringValue(c.Cfg.ClientId)))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// matchesSecretHash reports whether given is the SECRET_HASH of username
// under one of the client's secrets.
func (c *Client) matchesSecretHash(username, given string) bool {
	id := model.StringValue(c.Cfg.ClientId)
	ok := 0
	for _, sec := range c.Secrets {
		m := hmac.New(sha256.New, []byte(sec.Value))
		m.Write([]byte(username + id))
		want := base64.StdEncoding.EncodeToString(m.Sum(nil))
		ok |= subtle.ConstantTimeCompare([]byte(want), []byte(given))
	}
	return ok == 1
}
