package userpool

import (
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"time"

	"github.com/cognate-idp/cognate/internal/message"
	"github.com/cognate-idp/cognate/internal/srp"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/token"
	"github.com/cognate-idp/cognate/internal/trigger"
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
	PasswordHash HashParams
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
}

// Service implements the user-pool operations.
type Service struct {
	store      store.Store
	region     string
	publicURL  string
	sealer     *token.Sealer
	srp        *srp.Server
	verifier   *token.Verifier
	keys       *keyCache
	pools      *docCache[string, *pool]
	clients    *docCache[clientKey, *client]
	sender     message.Sender
	dispatcher *message.Dispatcher
	triggers   *trigger.Caller
	log        *slog.Logger
	now        func() time.Time
	random     io.Reader
	hash       HashParams
	kdf        kdfSlots
	codeTTL    time.Duration
	maxTries   int
	sendsPerHr int
	codeKey    []byte
}

// New returns a Service.
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
	if opts.VerifierCacheSize <= 0 {
		opts.VerifierCacheSize = 100_000
	}
	sealer, err := token.NewSealer(opts.SecretKey)
	if err != nil {
		return nil, err
	}
	srpKey := deriveKey(opts.SecretKey, "srp secret block")
	srpServer, err := srp.NewServer(srpKey, opts.Random, opts.Now)
	if err != nil {
		return nil, err
	}
	s := &Service{
		store:      opts.Store,
		region:     opts.Region,
		publicURL:  strings.TrimRight(opts.PublicURL, "/"),
		sealer:     sealer,
		srp:        srpServer,
		verifier:   token.NewVerifier(opts.VerifierCacheSize),
		keys:       newKeyCache(),
		pools:      newDocCache[string, *pool](),
		clients:    newDocCache[clientKey, *client](),
		sender:     opts.Sender,
		dispatcher: message.NewDispatcher(opts.Store, opts.Sender, opts.Logger, opts.Now),
		triggers:   opts.Triggers,
		log:        opts.Logger,
		now:        opts.Now,
		random:     opts.Random,
		hash:       opts.PasswordHash.withDefaults(),
		kdf:        newKDFSlots(opts.ConcurrentHashes),
		codeTTL:    opts.CodeValidity,
		maxTries:   opts.MaxCodeAttempts,
		sendsPerHr: opts.CodeSendsPerHour,
		codeKey:    deriveKey(opts.SecretKey, "verification codes"),
	}
	return s, nil
}

// Dispatcher returns the message dispatcher, for a background retry loop.
func (s *Service) Dispatcher() *message.Dispatcher { return s.dispatcher }

// Issuer returns the token issuer of a pool.
func (s *Service) Issuer(poolID string) string { return s.publicURL + "/" + poolID }

// isIssuer reports whether iss is Issuer(poolID), without building it.
func (s *Service) isIssuer(iss, poolID string) bool {
	rest, ok := strings.CutPrefix(iss, s.publicURL)
	return ok && len(rest) == 1+len(poolID) && rest[0] == '/' && rest[1:] == poolID
}
