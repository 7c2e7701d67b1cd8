package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"io"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/token"
)

// The oauthtoken op drives POST <url>/<pool id>/oauth2/token with
// grant_type=client_credentials and one custom scope, the client
// authenticating by HTTP Basic. Each request signs one RS256 access token,
// so its reference is the rate at which this machine signs RS256 tokens on
// one core: the bench measures that before and after the runs (see
// signRate) and prints both with their ratio.

// oauthScope is the resource server and scope the bench client asks for.
const (
	oauthRS    = "https://bench.example.com"
	oauthScope = oauthRS + "/read"
)

// oauthFixture is the domain and machine client setup made for the op.
type oauthFixture struct {
	Domain   string `json:"domain"`
	ClientID string `json:"clientId"`
	Secret   string `json:"secret"`
}

// setupOAuth gives the pool a prefix domain, a resource server with one
// scope and an app client with a secret allowed the client_credentials
// flow for that scope, unless fx has them already.
func setupOAuth(ctx context.Context, api *apiClient, fx *fixture) error {
	if fx.OAuth != nil {
		return nil
	}
	pool := model.String(fx.PoolID)
	domain := "bench-" + strings.ToLower(strings.ReplaceAll(fx.PoolID, "_", "-"))
	if err := api.call(ctx, "CreateUserPoolDomain", &model.CreateUserPoolDomainRequest{UserPoolId: pool, Domain: model.String(domain)}, nil); err != nil {
		return err
	}
	if err := api.call(ctx, "CreateResourceServer", &model.CreateResourceServerRequest{
		UserPoolId: pool, Identifier: model.String(oauthRS), Name: model.String("bench"),
		Scopes: []model.ResourceServerScopeType{{ScopeName: model.String("read"), ScopeDescription: model.String("Read")}},
	}, nil); err != nil {
		return err
	}
	var cl model.CreateUserPoolClientResponse
	if err := api.call(ctx, "CreateUserPoolClient", &model.CreateUserPoolClientRequest{
		UserPoolId: pool, ClientName: model.String("bench-machine"), GenerateSecret: model.Bool(true),
		AllowedOAuthFlows: []string{"client_credentials"}, AllowedOAuthFlowsUserPoolClient: model.Bool(true),
		AllowedOAuthScopes: []string{oauthScope},
	}, &cl); err != nil {
		return err
	}
	fx.OAuth = &oauthFixture{Domain: domain, ClientID: model.StringValue(cl.UserPoolClient.ClientId), Secret: model.StringValue(cl.UserPoolClient.ClientSecret)}
	return nil
}

// oauthBody is the form body of every token request.
var oauthBody = []byte("grant_type=client_credentials&scope=" + url.QueryEscape(oauthScope))

// newTokenConn is a connection posting forms to the pool's token endpoint
// with the machine client's Basic credentials.
func newTokenConn(base, poolID string, of *oauthFixture) (*wireConn, error) {
	wc, err := newWireConn(base, "")
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	basic := base64.StdEncoding.EncodeToString([]byte(of.ClientID + ":" + of.Secret))
	path := strings.TrimSuffix(u.EscapedPath(), "/") + "/" + poolID + "/oauth2/token"
	wc.head = fmt.Appendf(nil, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nAuthorization: Basic %s\r\nContent-Length: ",
		path, u.Host, basic)
	return wc, nil
}

// signRate is the rate at which one goroutine, on a locked OS thread
// pinned to cpu (-1: unpinned), signs a JWT like the token endpoint's
// (ten claims, RSA-2048, token.Sign) in a tight loop for d. The bench
// calls it only while no load runs, so the thread has the core to itself
// within this process (GOMAXPROCS does not matter with one busy
// goroutine); other processes on the machine still compete for it.
func signRate(cpu int, d time.Duration) (float64, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return 0, err
	}
	type out struct {
		rate float64
		err  error
	}
	ch := make(chan out, 1)
	go func() {
		runtime.LockOSThread() // the thread ends with the goroutine, its pinning with it
		if cpu >= 0 {
			if err := pinThread(cpu); err != nil {
				ch <- out{err: fmt.Errorf("sign rate: %w", err)}
				return
			}
		}
		now := time.Now().Unix()
		claims := []token.Claim{
			{Name: "sub", Value: "1example23456789abcdefghij"},
			{Name: "token_use", Value: "access"},
			{Name: "scope", Value: oauthScope},
			{Name: "auth_time", Value: now},
			{Name: "iss", Value: "http://127.0.0.1:9229/us-east-1_bench0000"},
			{Name: "exp", Value: now + 3600},
			{Name: "iat", Value: now},
			{Name: "version", Value: 2},
			{Name: "jti", Value: "6f1c2a4e-0b7d-4f5e-9a3c-2d8e7f6a5b4c"},
			{Name: "client_id", Value: "1example23456789abcdefghij"},
		}
		n := 0
		t0 := time.Now()
		for time.Since(t0) < d {
			if _, err := token.Sign(key, "bench-kid", claims); err != nil {
				ch <- out{err: err}
				return
			}
			n++
		}
		ch <- out{rate: float64(n) / time.Since(t0).Seconds()}
	}()
	o := <-ch
	return o.rate, o.err
}

// printSignRatio prints the token endpoint's rate against the signing
// rate: signs holds one measurement before each run and one after the
// last, and each run is compared with the mean of the two around it, so a
// machine whose speed drifts during the set is compared with itself at
// the time of each run. The figure is the median of those ratios.
func printSignRatio(w io.Writer, cpu int, signs []float64, rs []*result) {
	where := "unpinned"
	if cpu >= 0 {
		where = fmt.Sprintf("CPU %d", cpu)
	}
	rates, refs, ratios := make([]float64, len(rs)), make([]float64, len(rs)), make([]float64, len(rs))
	for i, r := range rs {
		rates[i] = r.rps()
		refs[i] = (signs[i] + signs[i+1]) / 2
		ratios[i] = 100 * rates[i] / refs[i]
	}
	fmt.Fprintf(w, "RS256 sign on one core (%s), before each run and after the last: %s/s\n", where, joinRates(signs, "%.0f"))
	fmt.Fprintf(w, "token endpoint per run: %s %% of the signing rate around it\n", joinRates(ratios, "%.1f"))
	fmt.Fprintf(w, "token endpoint median %.0f req/s; median ratio %.1f %% of the signing rate\n", median(rates), median(ratios))
	// The server's CPU time per token against one signature's: how close
	// the endpoint comes to the signing rate when it has the core, which
	// a shared machine does not always give it.
	var per []time.Duration
	for _, r := range rs {
		if r.cpu > 0 && r.ok > 0 {
			per = append(per, r.cpu/time.Duration(r.ok))
		}
	}
	if ref := median(refs); len(per) > 0 && ref > 0 {
		sign := time.Duration(float64(time.Second) / ref)
		fmt.Fprintf(w, "server CPU per token median %.0f µs against %.0f µs per signature: %.1f %% (the endpoint's rate on a core it had to itself)\n",
			us(median(per)), us(sign), 100*float64(sign)/float64(median(per)))
	}
}

func joinRates(vs []float64, format string) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = fmt.Sprintf(format, v)
	}
	return strings.Join(parts, ", ")
}

// signFor is how long signRate signs, before each run and after the last.
const signFor = 3 * time.Second
