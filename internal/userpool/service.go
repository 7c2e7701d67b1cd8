package userpool

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"time"

	"github.com/cognate-idp/cognate/internal/userpool/auth"
	"github.com/cognate-idp/cognate/internal/userpool/branding"
	"github.com/cognate-idp/cognate/internal/userpool/delivery"
	"github.com/cognate-idp/cognate/internal/userpool/devices"
	"github.com/cognate-idp/cognate/internal/userpool/domains"
	"github.com/cognate-idp/cognate/internal/userpool/federation"
	"github.com/cognate-idp/cognate/internal/userpool/groups"
	"github.com/cognate-idp/cognate/internal/userpool/imports"
	"github.com/cognate-idp/cognate/internal/userpool/login"
	"github.com/cognate-idp/cognate/internal/userpool/mfa"
	"github.com/cognate-idp/cognate/internal/userpool/oauth"
	"github.com/cognate-idp/cognate/internal/userpool/passkeys"
	"github.com/cognate-idp/cognate/internal/userpool/pools"
	"github.com/cognate-idp/cognate/internal/userpool/resourceservers"
	"github.com/cognate-idp/cognate/internal/userpool/settings"
	"github.com/cognate-idp/cognate/internal/userpool/triggers"
	"github.com/cognate-idp/cognate/internal/userpool/users"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/message"
	"github.com/cognate-idp/cognate/internal/srp"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/token"
	"github.com/cognate-idp/cognate/internal/trigger"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/passwords"
	"github.com/cognate-idp/cognate/internal/userpool/tokens"
)

// Options configure a Service. Store, SecretKey and PublicURL are required.
type Options struct {
	Store     store.Store
	Region    string // e.g. "us-east-1"; prefix of new pool IDs
	PublicURL string // base of token issuers: iss = PublicURL + "/" + poolID
	// SecretKey (32 bytes) seals refresh tokens, SRP secret blocks, auth
	// sessions and SRP verifiers at rest. It is kept outside the database.
	SecretKey []byte
	Sender    message.Sender
	Triggers  *trigger.Caller
	Logger    *slog.Logger
	Now       func() time.Time
	Random    io.Reader
	// PasswordHash tunes the password KDF (argon2id); zero means the
	// production defaults.
	PasswordHash passwords.HashParams
	// ConcurrentHashes bounds how many password hashes are computed at
	// once, each using PasswordHash.Memory (default: GOMAXPROCS).
	ConcurrentHashes int
	// CodeValidity is how long verification codes live (default 24 h).
	CodeValidity time.Duration
	// MaxCodeAttempts is how many wrong codes a user may enter per code
	// before LimitExceededException (default 5).
	MaxCodeAttempts int
	// CodeSendsPerHour bounds verification messages per user and attribute
	// (default 10) before LimitExceededException.
	CodeSendsPerHour int
	// VerifierCacheSize bounds the cache of verified access tokens.
	VerifierCacheSize int
	// HTTPClient makes the requests to upstream identity providers
	// (discovery, keys, token and userInfo); it should have a timeout.
	HTTPClient *http.Client
}

// Service implements the user-pool operations.
// Service is the user-pool service, assembled from its areas. The
// operation table of package api maps each operation to a method of one
// area.
type Service struct {
	Pools           *pools.Service
	Groups          *groups.Service
	ResourceServers *resourceservers.Service
	Domains         *domains.Service
	OAuth           *oauth.Service
	Users           *users.Service
	Imports         *imports.Service
	MFA             *mfa.Service
	Devices         *devices.Service
	Passkeys        *passkeys.Service
	Federation      *federation.Service
	Auth            *auth.Service
	Login           *login.Service
	Tokens          *tokens.Service
	Delivery        *delivery.Service
	Settings        *settings.Service
	Branding        *branding.Service
}

func New(opts Options) (*Service, error) {
	if opts.Store == nil {
		return nil, errors.New("userpool: Options.Store is required")
	}
	if len(opts.SecretKey) != 32 {
		return nil, errors.New("userpool: Options.SecretKey must be 32 bytes")
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Random == nil {
		opts.Random = rand.Reader
	}
	if opts.Sender == nil {
		opts.Sender = message.LogSender{Logger: opts.Logger}
	}
	if opts.Triggers == nil {
		opts.Triggers = trigger.NewCaller(trigger.NoEndpointInvoker{Logger: opts.Logger}, opts.Region, opts.Logger, 0, opts.Now)
	}
	if opts.ConcurrentHashes <= 0 {
		opts.ConcurrentHashes = runtime.GOMAXPROCS(0)
	}
	if opts.CodeValidity <= 0 {
		opts.CodeValidity = 24 * time.Hour
	}
	if opts.MaxCodeAttempts <= 0 {
		opts.MaxCodeAttempts = 5
	}
	if opts.CodeSendsPerHour <= 0 {
		opts.CodeSendsPerHour = 10
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if opts.VerifierCacheSize <= 0 {
		opts.VerifierCacheSize = 100_000
	}
	sealer, err := token.NewSealer(opts.SecretKey)
	if err != nil {
		return nil, err
	}
	srpServer, err := srp.NewServer(core.DeriveKey(opts.SecretKey, "srp secret block"), opts.Random, opts.Now)
	if err != nil {
		return nil, err
	}
	env := core.NewEnv(opts.Store, opts.Region, strings.TrimRight(opts.PublicURL, "/"), sealer, opts.Logger, opts.Now, opts.Random)
	if err := env.EnsureUserIndex(context.Background()); err != nil {
		return nil, fmt.Errorf("userpool: index users: %w", err)
	}
	tr := triggers.New(env, opts.Triggers)
	pw := passwords.New(env, opts.PasswordHash, opts.ConcurrentHashes)
	tok := tokens.New(env, tr, opts.VerifierCacheSize)
	dl := delivery.New(env, tr, opts.Sender, delivery.Limits{
		CodeValidity:     opts.CodeValidity,
		MaxCodeAttempts:  opts.MaxCodeAttempts,
		CodeSendsPerHour: opts.CodeSendsPerHour,
	}, core.DeriveKey(opts.SecretKey, "verification codes"))
	us := users.New(env, dl, pw, tok, tr, core.DeriveKey(opts.SecretKey, "auth event feedback"))
	mf := mfa.New(env, tok, dl)
	pk := passkeys.New(env, tok)
	dv := devices.New(env, tok, core.DeriveKey(opts.SecretKey, "device group keys"))
	au := auth.New(env, srpServer, dl, pw, tok, tr, us, mf, dv, pk)
	fed := federation.New(env, tr, opts.HTTPClient)
	return &Service{
		Pools:           pools.New(env, tok),
		Groups:          groups.New(env),
		ResourceServers: resourceservers.New(env),
		Domains:         domains.New(env),
		OAuth:           oauth.New(env, tok),
		Users:           us,
		Imports:         imports.New(env, us, core.DeriveKey(opts.SecretKey, "user import uploads")),
		MFA:             mf,
		Devices:         dv,
		Passkeys:        pk,
		Federation:      fed,
		Auth:            au,
		Login:           login.New(env, au, tok, us, mf, fed),
		Tokens:          tok,
		Delivery:        dl,
		Settings:        settings.New(env),
		Branding:        branding.New(env),
	}, nil
}

// Close stops the service's background work (running user imports) and
// waits for it.
func (s *Service) Close() { s.Imports.Close() }

// UploadImport stores the CSV file of a user import job; token is the
// one of its PreSignedUrl.
func (s *Service) UploadImport(ctx context.Context, poolID, jobID, token string, file []byte) error {
	return s.Imports.Upload(ctx, poolID, jobID, token, file)
}

// Dispatcher returns the message dispatcher, for a background retry loop.
func (s *Service) Dispatcher() *message.Dispatcher { return s.Delivery.Dispatcher() }

// JWKS returns the public signing keys of a pool as a JSON Web Key Set.
func (s *Service) JWKS(ctx context.Context, poolID string) ([]byte, error) {
	return s.Tokens.JWKS(ctx, poolID)
}

// OpenIDConfiguration returns a pool's OpenID Connect discovery document;
// it lists the OAuth endpoints only when the pool has a domain that
// serves them.
func (s *Service) OpenIDConfiguration(ctx context.Context, poolID string) ([]byte, error) {
	served, err := s.OAuth.DomainPool(ctx, "", poolID)
	if err != nil {
		return nil, err
	}
	return s.Tokens.OpenIDConfiguration(ctx, poolID, served != "")
}

// DomainPool returns the pool whose domain a token endpoint request
// reaches, by Host header or pool ID; "" for none.
func (s *Service) DomainPool(ctx context.Context, host, poolID string) (string, error) {
	return s.OAuth.DomainPool(ctx, host, poolID)
}

// Token answers a request to a pool domain's token endpoint.
func (s *Service) Token(ctx context.Context, req cognito.TokenRequest) (*cognito.TokenResponse, error) {
	switch req.GrantType {
	case "authorization_code", "refresh_token":
		return s.Login.Token(ctx, req)
	}
	return s.OAuth.Token(ctx, req)
}

// UserInfo answers a pool domain's userInfo endpoint.
func (s *Service) UserInfo(ctx context.Context, poolID, accessToken string) (map[string]string, error) {
	return s.Login.UserInfo(ctx, poolID, accessToken)
}

// Revoke answers a pool domain's revoke endpoint.
func (s *Service) Revoke(ctx context.Context, poolID, clientID, secret, token string) error {
	return s.Login.Revoke(ctx, poolID, clientID, secret, token)
}
