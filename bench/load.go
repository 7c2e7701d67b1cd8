package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/cognate-idp/cognate/internal/model"
)

// attrVals is one written pair of values.
type attrVals struct{ tier, given string }

// vuser is a signed-in user driven by exactly one worker, so "the last
// acknowledged write" is well defined.
type vuser struct {
	name      string
	token     string
	updPrefix []byte // update body up to the tier value
	getBody   []byte
	authBody  []byte
	listBody  []byte // ListUsers by this user's email
	pageBody  []byte // the first page of ListUsers given_name ^= "bench"
	groupBody []byte // the first page of ListUsersInGroup bench
	ofBody    []byte // AdminListGroupsForUser of this user

	seq    int
	acked  bool
	last   attrVals   // last acknowledged values
	unsure []attrVals // values sent after last whose outcome is unknown (errors)
}

// jsonString quotes s as a JSON string.
func jsonString(s string) []byte { return strconv.AppendQuote(nil, s) }

func newVUser(name, token string, fx *fixture) *vuser {
	u := &vuser{name: name, token: token}
	u.updPrefix = fmt.Appendf(nil, `{"AccessToken":%s,"UserAttributes":[{"Name":"custom:tier","Value":"`, jsonString(token))
	u.getBody = fmt.Appendf(nil, `{"AccessToken":%s}`, jsonString(token))
	pool := jsonString(fx.PoolID)
	u.listBody = fmt.Appendf(nil, `{"UserPoolId":%s,"Filter":%s}`, pool, jsonString(`email = "`+userEmail(name)+`"`))
	u.pageBody = fmt.Appendf(nil, `{"UserPoolId":%s,"Filter":"given_name ^= \"bench\"","Limit":60}`, pool)
	u.groupBody = fmt.Appendf(nil, `{"UserPoolId":%s,"GroupName":%s,"Limit":60}`, pool, jsonString(benchGroup))
	u.ofBody = fmt.Appendf(nil, `{"UserPoolId":%s,"Username":%s}`, pool, jsonString(name))
	u.authBody = fmt.Appendf(nil, `{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":%s,"AuthParameters":{"USERNAME":%s,"PASSWORD":%s}}`,
		jsonString(fx.ClientID), jsonString(name), jsonString(fx.Password))
	return u
}

// updateBody builds an update of custom:tier and given_name to v. Values
// are plain ASCII, so they need no escaping.
func (u *vuser) updateBody(v attrVals) []byte {
	b := make([]byte, 0, len(u.updPrefix)+len(v.tier)+len(v.given)+48)
	b = append(b, u.updPrefix...)
	b = append(b, v.tier...)
	b = append(b, `"},{"Name":"given_name","Value":"`...)
	b = append(b, v.given...)
	return append(b, `"}]}`...)
}

// opTarget maps -op to the operation name; "" for an unknown op.
func opTarget(op string) string {
	switch op {
	case "update":
		return "UpdateUserAttributes"
	case "getuser":
		return "GetUser"
	case "auth":
		return "InitiateAuth"
	case "listusers", "listpage":
		return "ListUsers"
	case "ingroup":
		return "ListUsersInGroup"
	case "groupsof":
		return "AdminListGroupsForUser"
	case "oauthtoken":
		return "oauth2/token"
	}
	return ""
}

// loadSpec describes one timed run.
type loadSpec struct {
	url    string
	op     string
	conns  int
	warmup time.Duration
	dur    time.Duration
	run    int
	// serverPID, when not 0, is a server process of its own whose CPU
	// time is read at the start and end of the measured window.
	serverPID int
	// poolID and oauth address the token endpoint for -op oauthtoken.
	poolID string
	oauth  *oauthFixture
}

// result is what one run measured.
type result struct {
	ok       int           // successful requests in the measured window
	errs     int           // failed requests, warm-up included
	firstErr string        // the first failure, for the report
	elapsed  time.Duration // the measured window
	lat      []time.Duration
	checked  int // users whose final values were checked
	lost     int // users whose last acknowledged write is missing
	lostMsg  string
	mem      memory
	cpu      time.Duration   // server CPU time in the measured window; 0 if unknown
	probe    []time.Duration // speed probe samples (RSA-2048 verify) in the measured window
}

func (r *result) rps() float64 { return float64(r.ok) / r.elapsed.Seconds() }

// pct returns the q-quantile (nearest rank) of the sorted latencies.
func (r *result) pct(q float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	i := int(q*float64(len(r.lat))+0.999999) - 1
	return r.lat[max(0, min(i, len(r.lat)-1))]
}

type workerResult struct {
	lat      []time.Duration
	ok, errs int
	firstErr string
}

// runLoad drives spec.conns keep-alive connections, each owning the users
// whose index is its number modulo conns, for warmup+dur.
func runLoad(ctx context.Context, spec loadSpec, users []*vuser) (*result, error) {
	if spec.conns > len(users) {
		return nil, fmt.Errorf("-c %d is more than the %d signed-in users; each connection needs its own users", spec.conns, len(users))
	}
	start := time.Now()
	measureFrom := start.Add(spec.warmup)
	end := measureFrom.Add(spec.dur)
	results := make([]workerResult, spec.conns)
	var wg sync.WaitGroup
	for w := range spec.conns {
		var mine []*vuser
		for i := w; i < len(users); i += spec.conns {
			mine = append(mine, users[i])
		}
		res := &results[w]
		res.lat = make([]time.Duration, 0, 4096)
		var wc *wireConn
		var err error
		if spec.op == "oauthtoken" {
			wc, err = newTokenConn(spec.url, spec.poolID, spec.oauth)
		} else {
			wc, err = newWireConn(spec.url, targetPrefix+opTarget(spec.op))
		}
		if err != nil {
			return nil, err
		}
		wg.Go(func() {
			defer wc.close()
			worker(ctx, wc, spec, mine, measureFrom, end, res)
		})
	}
	cpuStart := make(chan time.Duration, 1)
	if spec.serverPID > 0 {
		go func() {
			time.Sleep(time.Until(measureFrom))
			c, err := readCPU(spec.serverPID)
			if err != nil {
				c = -1
			}
			cpuStart <- c
		}()
	}
	wg.Wait()
	r := &result{elapsed: time.Since(measureFrom)}
	if spec.serverPID > 0 {
		c0 := <-cpuStart
		if c1, err := readCPU(spec.serverPID); err == nil && c0 >= 0 {
			r.cpu = c1 - c0
		}
	}
	for i := range results {
		w := &results[i]
		r.ok += w.ok
		r.errs += w.errs
		r.lat = append(r.lat, w.lat...)
		if r.firstErr == "" {
			r.firstErr = w.firstErr
		}
	}
	slices.Sort(r.lat)
	return r, ctx.Err()
}

func worker(ctx context.Context, wc *wireConn, spec loadSpec, mine []*vuser, measureFrom, end time.Time, res *workerResult) {
	for k := 0; ctx.Err() == nil; k++ {
		u := mine[k%len(mine)]
		var body []byte
		var vals attrVals
		switch spec.op {
		case "update":
			u.seq++
			vals = attrVals{tier: fmt.Sprintf("r%d-%d", spec.run, u.seq), given: fmt.Sprintf("g%d-%d", spec.run, u.seq)}
			body = u.updateBody(vals)
		case "getuser":
			body = u.getBody
		case "listusers":
			body = u.listBody
		case "listpage":
			body = u.pageBody
		case "ingroup":
			body = u.groupBody
		case "groupsof":
			body = u.ofBody
		case "oauthtoken":
			body = oauthBody
		default:
			body = u.authBody
		}
		t0 := time.Now()
		if t0.After(end) {
			return
		}
		status, msg, err := wc.do(ctx, body)
		if err != nil {
			msg = err.Error()
		}
		lat := time.Since(t0)
		ok := status == http.StatusOK
		if spec.op == "update" {
			if ok {
				u.acked, u.last, u.unsure = true, vals, nil
			} else {
				u.unsure = append(u.unsure, vals)
			}
		}
		if !ok {
			res.errs++
			if res.firstErr == "" {
				res.firstErr = fmt.Sprintf("%s %s: HTTP %d %s", opTarget(spec.op), u.name, status, msg)
			}
		}
		if !t0.Before(measureFrom) {
			res.lat = append(res.lat, lat)
			if ok {
				res.ok++
			}
		}
	}
}

// verify checks with GetUser that each user's last acknowledged values
// landed (or, after errors, one of the values whose outcome is unknown).
func verify(ctx context.Context, api *apiClient, users []*vuser, r *result) error {
	var mu sync.Mutex
	return parallel(ctx, len(users), 8, func(ctx context.Context, i int) error {
		u := users[i]
		if !u.acked && len(u.unsure) == 0 {
			return nil
		}
		var out model.GetUserResponse
		if err := api.call(ctx, "GetUser", &model.GetUserRequest{AccessToken: model.String(u.token)}, &out); err != nil {
			return err
		}
		var got attrVals
		for _, a := range out.UserAttributes {
			switch model.StringValue(a.Name) {
			case "custom:tier":
				got.tier = model.StringValue(a.Value)
			case "given_name":
				got.given = model.StringValue(a.Value)
			}
		}
		good := (u.acked && got == u.last) || slices.Contains(u.unsure, got)
		mu.Lock()
		defer mu.Unlock()
		r.checked++
		if !good {
			r.lost++
			if r.lostMsg == "" {
				r.lostMsg = fmt.Sprintf("%s: acknowledged %+v, server has %+v", u.name, u.last, got)
			}
		}
		return nil
	})
}
