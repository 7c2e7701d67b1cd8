package app

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/google/uuid"

	"github.com/cognate-idp/cognate/internal/api"
	"github.com/cognate-idp/cognate/internal/awsjson"
	"github.com/cognate-idp/cognate/internal/config"
	"github.com/cognate-idp/cognate/internal/console"
	"github.com/cognate-idp/cognate/internal/hosted"
	"github.com/cognate-idp/cognate/internal/message"
	"github.com/cognate-idp/cognate/internal/netguard"
	"github.com/cognate-idp/cognate/internal/obs"
	"github.com/cognate-idp/cognate/internal/seed"
	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/store/postgres"
	"github.com/cognate-idp/cognate/internal/store/sqlite"
	"github.com/cognate-idp/cognate/internal/trigger"
	"github.com/cognate-idp/cognate/internal/userpool"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/passwords"
	"github.com/cognate-idp/cognate/internal/version"
)

// Overrides replace parts of the assembly (tests use them for fast
// password hashing and injected clocks); zero values mean the defaults.
type Overrides struct {
	Now          func() time.Time
	Random       io.Reader
	PasswordHash passwords.HashParams
	HTTPClient   *http.Client // for Lambda, SES and SNS
	// AccessLog, when set, receives one info-level line per request, in
	// the format of cfg.LogFormat.
	AccessLog io.Writer
}

// App is an assembled server.
type App struct {
	Handler http.Handler
	Service *userpool.Service
	Store   store.Store
	Edge    *awsjson.Edge
	Metrics *obs.Metrics
	// Triggers holds this node's recent Lambda trigger calls.
	Triggers *trigger.CallLog
	log      *slog.Logger
	stop     context.CancelFunc
	done     chan struct{}
	access   *obs.AccessLog
}

// New assembles a server from cfg. Close releases it.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, o Overrides) (*App, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Random == nil {
		o.Random = rand.Reader
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	metrics := obs.NewMetrics()
	st, err := openStore(ctx, cfg, log, metrics.Commit)
	if err != nil {
		return nil, err
	}
	a, err := assemble(cfg, st, log, o, metrics)
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	if cfg.Seed != "" {
		f, err := seed.Load(cfg.Seed)
		if err == nil {
			err = seed.Apply(ctx, a.Service, f)
		}
		if err != nil {
			_ = a.Close()
			return nil, err
		}
		log.Info("seed applied", "file", cfg.Seed, "pools", len(f.Pools))
	}
	return a, nil
}

func assemble(cfg config.Config, st store.Store, log *slog.Logger, o Overrides, metrics *obs.Metrics) (*App, error) {
	secret, err := loadSecret(cfg.SecretFile, o.Random)
	if err != nil {
		return nil, err
	}
	sender, err := senders(cfg, log, o)
	if err != nil {
		return nil, err
	}
	var inv trigger.Invoker = trigger.NoEndpointInvoker{Logger: log}
	if cfg.Lambda.Endpoint != "" {
		region := cfg.Lambda.Region
		if region == "" {
			region = cfg.Region
		}
		inv, err = trigger.NewLambdaInvoker(trigger.LambdaConfig{
			Endpoint: cfg.Lambda.Endpoint, Region: region, AccessKeyID: cfg.Lambda.AccessKeyID,
			SecretAccessKey: cfg.Lambda.SecretAccessKey, SessionToken: cfg.Lambda.SessionToken, HTTPClient: o.HTTPClient,
			FunctionNameOnly: cfg.Lambda.FunctionNameOnly,
		})
		if err != nil {
			return nil, err
		}
	} else {
		log.Info("no Lambda endpoint configured: pools whose LambdaConfig names a function will fail those operations (set --lambda-endpoint)")
	}
	caller := trigger.NewCaller(inv, cfg.Region, log, 0, o.Now)
	caller.Observe = metrics.Trigger
	caller.Log = trigger.NewCallLog(trigger.DefaultCallLogSize)
	svc, err := userpool.New(userpool.Options{
		Store: st, Region: cfg.Region, PublicURL: cfg.PublicURL, SecretKey: secret, Sender: sender,
		Triggers: caller, HTTPClient: upstreamClient(cfg, o.HTTPClient),
		Logger: log, Now: o.Now, Random: o.Random, PasswordHash: o.PasswordHash,
	})
	if err != nil {
		return nil, err
	}
	svc.Dispatcher().OnFailure = metrics.OutboxFailure
	ctx, stop := context.WithCancel(context.Background())
	var access *obs.AccessLog
	if o.AccessLog != nil {
		access = obs.NewAccessLog(ctx, o.AccessLog, cfg.LogFormat == "json", 100*time.Millisecond)
	}
	observe := func(ob awsjson.Observation) {
		metrics.Request(ob.Operation, ob.ErrorType, ob.Duration)
		if access != nil {
			access.Log(obs.Request{Operation: ob.Operation, Status: ob.Status, ErrorType: ob.ErrorType, Duration: ob.Duration, RequestID: ob.RequestID})
		}
	}
	opts := awsjson.Options{Logger: log, NewID: func() string { return uuid.NewString() }, Observe: observe}
	if cfg.Admin.AccessKeyID != "" {
		opts.Auth = &awsjson.SigV4{AccessKeyID: cfg.Admin.AccessKeyID, SecretAccessKey: cfg.Admin.SecretAccessKey, Now: o.Now}
	} else {
		log.Info("admin operations are not authenticated: set admin.accessKeyId/secretAccessKey (or COGNATE_ADMIN_ACCESS_KEY_ID/COGNATE_ADMIN_SECRET_ACCESS_KEY) before exposing this server")
	}
	edge := awsjson.NewEdge(api.Handlers(svc), opts)
	// The outbox shows codes and temporary passwords: it is served only on
	// an open development server, never once admin credentials are set.
	sopts := server.Options{Edge: edge, Keys: svc, OAuth: svc, Imports: svc, UIImages: svc.Branding, Store: st, Logger: log, Now: o.Now,
		Outbox: cfg.Admin.AccessKeyID == "", AdminAuthenticated: cfg.Admin.AccessKeyID != "",
		Metrics: metrics.Handler(cfg.Admin.AccessKeyID, cfg.Admin.SecretAccessKey), Version: version.String()}
	if access != nil {
		sopts.Access = access.Log
	}
	sopts.Console = console.New(console.Options{Service: svc, Store: st, Triggers: caller.Log,
		AdminAccessKeyID: cfg.Admin.AccessKeyID, AdminSecretAccessKey: cfg.Admin.SecretAccessKey,
		Key: core.DeriveKey(secret, "console"), Random: o.Random, Logger: log, Now: o.Now})
	if sopts.Hosted, err = hosted.New(hosted.Options{Login: svc.Login, Domains: svc, Styles: svc.Branding, Users: svc.Users, Logger: log}); err != nil {
		stop()
		return nil, err
	}
	handler := server.NewHandler(sopts)
	a := &App{Handler: handler, Service: svc, Store: st, Edge: edge, Metrics: metrics, Triggers: caller.Log, log: log, stop: stop, done: make(chan struct{}), access: access}
	go func() {
		defer close(a.done)
		if err := svc.Dispatcher().Run(ctx); err != nil {
			log.Error("message retry loop stopped", "error", err)
		}
	}()
	return a, nil
}

// BlocksOnDisk reports whether the store holds an OS thread (and so a Go
// P) while it waits for the disk: SQLite where it cannot sync
// asynchronously. PostgreSQL waits on the network, in the poller.
func (a *App) BlocksOnDisk() bool {
	if s, ok := a.Store.(interface{ SyncsWithoutBlocking() bool }); ok {
		return !s.SyncsWithoutBlocking()
	}
	return false
}

// Close stops background work and closes the store.
func (a *App) Close() error {
	a.stop()
	<-a.done
	a.Service.Close()
	if a.access != nil {
		a.access.Flush()
	}
	return a.Store.Close()
}

func openStore(ctx context.Context, cfg config.Config, log *slog.Logger, onCommit func(time.Duration, int)) (store.Store, error) {
	if cfg.Database != "" {
		octx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		st, err := postgres.Open(octx, cfg.Database, postgres.Options{Logger: log, OnCommit: onCommit})
		if err != nil {
			return nil, err
		}
		return st, nil
	}
	if err := os.MkdirAll(cfg.Data, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	return sqlite.Open(ctx, filepath.Join(cfg.Data, "cognate.db"), sqlite.Options{Logger: log, OnCommit: onCommit})
}

// loadSecret reads the 32-byte server secret, creating it on first start.
func loadSecret(path string, random io.Reader) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		if len(b) != 32 {
			return nil, fmt.Errorf("secret file %s: want 32 bytes, found %d", path, len(b))
		}
		return b, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("secret file: %w", err)
	}
	b = make([]byte, 32)
	if _, err := io.ReadFull(random, b); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("secret file: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	return b, f.Close()
}

// senders builds the message router from the configuration.
func senders(cfg config.Config, log *slog.Logger, o Overrides) (message.Sender, error) {
	m := cfg.Messages
	outbox := message.LogSender{Logger: log}
	r := message.Router{Email: outbox, SMS: outbox, SMSSandbox: m.SMSSandbox, SandboxNumbers: m.SandboxNumbers, Logger: log}
	awsConfig := func(a config.AWS) aws.Config {
		region := a.Region
		if region == "" {
			region = cfg.Region
		}
		key, secret := a.AccessKeyID, a.SecretAccessKey
		if key == "" {
			key, secret = "cognate", "cognate"
		}
		return aws.Config{Region: region, HTTPClient: o.HTTPClient,
			Credentials: credentials.NewStaticCredentialsProvider(key, secret, "")}
	}
	switch m.Email {
	case "smtp":
		s, err := message.NewSMTPSender(message.SMTPConfig{
			Host: m.SMTP.Host, Port: m.SMTP.Port, Username: m.SMTP.Username, Password: m.SMTP.Password,
			From: m.SMTP.From, TLS: m.SMTP.TLS, InsecureSkipVerify: m.SMTP.InsecureSkipVerify, Timeout: m.SMTP.Timeout.Duration,
		}, o.Now)
		if err != nil {
			return nil, err
		}
		r.Email = s
	case "ses":
		s, err := message.NewSESSender(awsConfig(m.SES), message.SESConfig{From: m.SES.From, Endpoint: m.SES.Endpoint})
		if err != nil {
			return nil, err
		}
		r.Email = s
	}
	if m.SMS == "sns" {
		s, err := message.NewSNSSender(awsConfig(m.SNS), message.SNSConfig{Endpoint: m.SNS.Endpoint})
		if err != nil {
			return nil, err
		}
		r.SMS = s
	}
	return r, nil
}

// Front returns the connection front end that serves a on srv (whose
// Handler it sets): the common awsJson1_1 calls answered directly, all else
// through net/http. With debug logging on, every request goes through
// net/http, where requests are logged.
func (a *App) Front(srv *http.Server) *server.Front {
	srv.Handler = a.Handler
	f := &server.Front{Server: srv}
	if !a.log.Enabled(context.Background(), slog.LevelDebug) {
		f.Direct = a.Edge
	}
	return f
}

// upstreamClient is the client of the requests to upstream identity
// providers: restricted to public addresses when the configuration says
// so, since their URLs are the pool administrators' choice.
func upstreamClient(cfg config.Config, c *http.Client) *http.Client {
	if cfg.Federation.PublicOnly {
		return netguard.Client(30 * time.Second)
	}
	return c
}
