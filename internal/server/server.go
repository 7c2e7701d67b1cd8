package server

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/message"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/obs"
	"github.com/cognate-idp/cognate/internal/store"
)

// Keys serves a pool's public documents.
type Keys interface {
	JWKS(ctx context.Context, poolID string) ([]byte, error)
	OpenIDConfiguration(ctx context.Context, poolID string) ([]byte, error)
}

// Options are the parts the handler is built from.
type Options struct {
	Edge http.Handler // the awsJson1_1 operations
	Keys Keys
	// OAuth, when set, serves the token, userInfo and revoke endpoints of
	// pool domains.
	OAuth OAuth
	// Hosted, when set, serves the managed login pages of pool domains
	// (hostedRoutes).
	Hosted http.Handler
	// Imports, when set, receives the CSV files of user import jobs.
	Imports Imports
	// UIImages, when set, serves the ImageUrl of UI customizations.
	UIImages UIImages
	Store    store.Store // for the message outbox
	Logger   *slog.Logger
	Now      func() time.Time
	// Outbox serves GET /_cognate/messages (codes included).
	Outbox bool
	// AdminAuthenticated says signed operations require credentials; only
	// then may pages of other origins read their answers.
	AdminAuthenticated bool
	// Console, when set, serves the web console under /_cognate/console;
	// it checks access itself.
	Console http.Handler
	// Metrics, when set, serves GET /metrics.
	Metrics http.Handler
	// Access, when set, is told of every request other than the API
	// calls (the edge reports those itself).
	Access func(obs.Request)
	// Version is the server's version, shown by GET /.
	Version string
}

// NewHandler returns the HTTP handler of a Cognate server.
func NewHandler(o Options) http.Handler {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	mux := http.NewServeMux()
	// The API is POST /; every other unknown path is a JSON 404.
	mux.Handle("POST /{$}", o.Edge)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "No resource at " + r.Method + " " + r.URL.Path + "; the API is POST /."})
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{
			"service": "cognito-idp", "server": "cognate", "version": o.Version,
			"api": "POST / with X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>",
		})
	})
	if o.Metrics != nil {
		mux.Handle("GET /metrics", o.Metrics)
	}
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})
	mux.Handle("GET /{pool}/.well-known/jwks.json", poolDocument(o.Keys.JWKS, o.Logger))
	mux.Handle("GET /{pool}/.well-known/openid-configuration", poolDocument(o.Keys.OpenIDConfiguration, o.Logger))
	// A pool domain's endpoints are served on its host (<prefix>.auth.*)
	// and under /<pool id> on any host.
	for _, base := range []string{"", "/{pool}"} {
		if o.OAuth != nil {
			mux.Handle("POST "+base+"/oauth2/token", tokenEndpoint(o.OAuth, o.Logger))
			mux.Handle(base+"/oauth2/userInfo", userInfoEndpoint(o.OAuth, o.Logger))
			mux.Handle("POST "+base+"/oauth2/revoke", revokeEndpoint(o.OAuth, o.Logger))
		}
		if o.Hosted != nil {
			for _, route := range hostedRoutes {
				method, path, _ := strings.Cut(route, " ")
				mux.Handle(method+" "+base+path, o.Hosted)
			}
		}
	}
	if o.UIImages != nil {
		mux.Handle(uiImagePath, uiImage(o.UIImages, o.Logger))
	}
	if o.Imports != nil {
		mux.Handle("PUT "+ImportPath+"{pool}/{job}", importUpload(o.Imports, o.Logger))
	}
	if o.Outbox {
		mux.Handle(message.OutboxPath, message.OutboxHandler(o.Store))
	}
	if o.Console != nil {
		mux.Handle("/_cognate/console", o.Console)
		mux.Handle("/_cognate/console/", o.Console)
	}
	return cors(logRequests(mux, o.Access, o.Now), o.AdminAuthenticated)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// poolDocument serves a per-pool JSON document; an unknown pool is 404.
func poolDocument(get func(context.Context, string) ([]byte, error), log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := get(r.Context(), r.PathValue("pool"))
		w.Header().Set("Content-Type", "application/json")
		if err != nil {
			if cognito.IsCode(err, cognito.ResourceNotFound) {
				w.WriteHeader(http.StatusNotFound)
				_, _ = w.Write([]byte(`{"message":"User pool not found"}`))
				return
			}
			log.Error("pool document", "pool", r.PathValue("pool"), "error", err)
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"message":"Internal server error"}`))
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=300")
		_, _ = w.Write(body)
	})
}

// cors lets browser SDKs (amazon-cognito-identity-js, Amplify, the JS SDK)
// call the API from any origin, as Cognito does.
func cors(next http.Handler, adminAuthenticated bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// Browsers may call the operations a browser app uses (unsigned,
		// token or client authorised) from any origin, as with Cognito;
		// never Cognate's own endpoints (the outbox holds codes), and the
		// admin operations only when they require credentials: a page of
		// another origin must not read an open admin API.
		if strings.HasPrefix(r.URL.Path, "/_cognate/") {
			next.ServeHTTP(w, r)
			return
		}
		if origin := r.Header.Get("Origin"); origin != "" && (adminAuthenticated || !signedOperation(r)) {
			h.Set("Access-Control-Allow-Origin", "*")
			h.Set("Access-Control-Expose-Headers", "x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, Date")
		}
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", "POST, GET, OPTIONS")
			allow := r.Header.Get("Access-Control-Request-Headers")
			if allow == "" {
				allow = "content-type, x-amz-target, x-amz-user-agent, authorization, x-amz-date, x-amz-security-token"
			}
			h.Set("Access-Control-Allow-Headers", allow)
			h.Set("Access-Control-Max-Age", "86400")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// signedOperation reports whether r calls an operation that Cognito
// authorises by IAM signature.
func signedOperation(r *http.Request) bool {
	_, op, _ := model.TargetOperation(r.Header.Get("X-Amz-Target"))
	return op != nil && !op.NoAuth
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// logRequests reports each request but the API calls to access; it never
// sees bodies, which hold passwords, codes and tokens.
func logRequests(next http.Handler, access func(obs.Request), now func() time.Time) http.Handler {
	if access == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/" {
			next.ServeHTTP(w, r) // the edge reports API calls
			return
		}
		start := now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		access(obs.Request{Method: r.Method, Path: r.URL.Path, Status: sw.status, Duration: now().Sub(start)})
	})
}

// Shutdowner is a server that stops gracefully: *http.Server, *Front.
type Shutdowner interface {
	Shutdown(ctx context.Context) error
}

// Serve runs srv until ctx ends, then shuts it down gracefully: in-flight
// requests get up to grace to finish.
func Serve(ctx context.Context, srv Shutdowner, serve func() error, grace time.Duration) error {
	errc := make(chan error, 1)
	go func() { errc <- serve() }()
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// hostedRoutes are the managed login pages, served at the root of a pool
// domain's host and under /{pool} on any host.
var hostedRoutes = []string{
	"GET /oauth2/authorize",
	"GET /login", "POST /login",
	"GET /logout",
	"GET /profile", "POST /profile",
	// The account pages: GET shows the form, POST handles it.
	"GET /signup", "POST /signup",
	"GET /confirm", "POST /confirm",
	"GET /resendcode", "POST /resendcode",
	"GET /forgotPassword", "POST /forgotPassword",
	"GET /confirmForgotPassword", "POST /confirmForgotPassword",
	"GET /confirmforgotPassword", "POST /confirmforgotPassword", // as the AWS endpoint table spells it
	// Where upstream identity providers send the browser back (POST:
	// response_mode=form_post, as Sign in with Apple answers).
	"GET /oauth2/idpresponse", "POST /oauth2/idpresponse",
}
