package console

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/cognate-idp/cognate/internal/message"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
)

// listLimit is how many rows a page lists at once.
const listLimit = 60

func (c *Console) poolsPage(w http.ResponseWriter, r *http.Request) error {
	var pools []model.UserPoolDescriptionType
	var next *string
	for {
		out, err := call(r.Context(), c.o.Service.Pools.ListUserPools, &model.ListUserPoolsRequest{MaxResults: model.Int32(listLimit), NextToken: next})
		if err != nil {
			return err
		}
		pools = append(pools, out.UserPools...)
		if next = out.NextToken; next == nil || len(pools) >= 1000 {
			break
		}
	}
	return c.render(w, r, "pools", "User pools", pools)
}

// attr is one attribute as pages show it.
type attr struct{ Name, Value string }

// userRow is one user in the pool page's list.
type userRow struct {
	Username, Status, Email, Phone string
	Enabled                        bool
	Created                        time.Time
}

type poolData struct {
	Pool     *model.UserPoolType
	JSON     string
	Filter   string
	Users    []userRow
	Next     string
	ListErr  string
	Triggers []attr
}

func (c *Console) poolPage(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("pool")
	d, err := call(r.Context(), c.o.Service.Pools.DescribeUserPool, &model.DescribeUserPoolRequest{UserPoolId: model.String(id)})
	if err != nil {
		return err
	}
	data := poolData{Pool: d.UserPool, Filter: r.URL.Query().Get("filter")}
	if b, err := json.MarshalIndent(d.UserPool, "", "  "); err == nil {
		data.JSON = string(b)
	}
	if lc := d.UserPool.LambdaConfig; lc != nil {
		var m map[string]any
		b, _ := json.Marshal(lc)
		_ = json.Unmarshal(b, &m)
		for k, v := range m {
			if s, ok := v.(string); ok {
				data.Triggers = append(data.Triggers, attr{k, s})
			}
		}
		sort.Slice(data.Triggers, func(i, j int) bool { return data.Triggers[i].Name < data.Triggers[j].Name })
	}
	// The search is ListUsers itself: its filter syntax, its errors.
	in := &model.ListUsersRequest{UserPoolId: model.String(id), Limit: model.Int32(listLimit)}
	if data.Filter != "" {
		in.Filter = model.String(data.Filter)
	}
	if t := r.URL.Query().Get("next"); t != "" {
		in.PaginationToken = model.String(t)
	}
	out, err := call(r.Context(), c.o.Service.Users.ListUsers, in)
	if err != nil {
		data.ListErr = c.describe(r, err)
	} else {
		for _, u := range out.Users {
			row := userRow{Username: model.StringValue(u.Username), Status: model.StringValue(u.UserStatus),
				Enabled: u.Enabled != nil && *u.Enabled}
			if u.UserCreateDate != nil {
				row.Created = u.UserCreateDate.Time
			}
			for _, a := range u.Attributes {
				switch model.StringValue(a.Name) {
				case "email":
					row.Email = model.StringValue(a.Value)
				case "phone_number":
					row.Phone = model.StringValue(a.Value)
				}
			}
			data.Users = append(data.Users, row)
		}
		data.Next = model.StringValue(out.PaginationToken)
	}
	return c.render(w, r, "pool", model.StringValue(d.UserPool.Name), data)
}

type userData struct {
	PoolID, PoolName string
	User             *model.AdminGetUserResponse
	Attrs            []attr
	Pending          []attr
	Groups           []string
	AllGroups        []string
	Devices          []device
}

// device is one remembered device as the user page shows it.
type device struct {
	Key, Name, Status, LastUsed string
}

func (c *Console) userPage(w http.ResponseWriter, r *http.Request) error {
	ctx, poolID, name := r.Context(), r.PathValue("pool"), r.PathValue("user")
	d, err := call(ctx, c.o.Service.Pools.DescribeUserPool, &model.DescribeUserPoolRequest{UserPoolId: model.String(poolID)})
	if err != nil {
		return err
	}
	u, err := call(ctx, c.o.Service.Users.AdminGetUser, &model.AdminGetUserRequest{UserPoolId: model.String(poolID), Username: model.String(name)})
	if err != nil {
		return err
	}
	data := userData{PoolID: poolID, PoolName: model.StringValue(d.UserPool.Name), User: u}
	for _, a := range u.UserAttributes {
		data.Attrs = append(data.Attrs, attr{model.StringValue(a.Name), model.StringValue(a.Value)})
	}
	pending, err := c.o.Service.Users.AdminPendingAttributes(ctx, poolID, name)
	if err != nil {
		return err
	}
	for k, v := range pending {
		data.Pending = append(data.Pending, attr{k, v})
	}
	sort.Slice(data.Pending, func(i, j int) bool { return data.Pending[i].Name < data.Pending[j].Name })
	gs, err := call(ctx, c.o.Service.Groups.AdminListGroupsForUser, &model.AdminListGroupsForUserRequest{UserPoolId: model.String(poolID), Username: model.String(name), Limit: model.Int32(listLimit)})
	if err != nil {
		return err
	}
	for _, g := range gs.Groups {
		data.Groups = append(data.Groups, model.StringValue(g.GroupName))
	}
	all, err := call(ctx, c.o.Service.Groups.ListGroups, &model.ListGroupsRequest{UserPoolId: model.String(poolID), Limit: model.Int32(listLimit)})
	if err != nil {
		return err
	}
	for _, g := range all.Groups {
		data.AllGroups = append(data.AllGroups, model.StringValue(g.GroupName))
	}
	devs, err := call(ctx, c.o.Service.Devices.AdminListDevices, &model.AdminListDevicesRequest{UserPoolId: model.String(poolID), Username: model.String(name)})
	if err != nil {
		return err
	}
	for _, dv := range devs.Devices {
		row := device{Key: model.StringValue(dv.DeviceKey)}
		for _, a := range dv.DeviceAttributes {
			switch model.StringValue(a.Name) {
			case "device_name":
				row.Name = model.StringValue(a.Value)
			case "dev:device_remembered_status":
				row.Status = model.StringValue(a.Value)
			}
		}
		if dv.DeviceLastAuthenticatedDate != nil {
			row.LastUsed = dv.DeviceLastAuthenticatedDate.Time.UTC().Format("2006-01-02 15:04:05 UTC")
		}
		data.Devices = append(data.Devices, row)
	}
	return c.render(w, r, "user", model.StringValue(u.Username), data)
}

// outboxRow is one message as the outbox page and its JSON show it.
type outboxRow struct {
	Time, Pool, Username, Attribute, Medium, Destination, Subject, Body, Code string
}

func (c *Console) outbox(r *http.Request) ([]outboxRow, error) {
	msgs, err := message.List(r.Context(), c.o.Store, store.MessageFilter{PoolID: r.URL.Query().Get("pool"), Limit: 200})
	if err != nil {
		return nil, err
	}
	rows := make([]outboxRow, 0, len(msgs))
	for _, m := range msgs {
		rows = append(rows, outboxRow{Time: m.Created.UTC().Format("2006-01-02 15:04:05"), Pool: m.PoolID, Username: m.Username,
			Attribute: m.AttributeName, Medium: string(m.Medium), Destination: m.Destination, Subject: m.Subject, Body: m.Body, Code: m.Code})
	}
	return rows, nil
}

func (c *Console) outboxPage(w http.ResponseWriter, r *http.Request) error {
	rows, err := c.outbox(r)
	if err != nil {
		return err
	}
	return c.render(w, r, "outbox", "Outbox", map[string]any{"Rows": rows, "Pool": r.URL.Query().Get("pool")})
}

func (c *Console) outboxJSON(w http.ResponseWriter, r *http.Request) error {
	rows, err := c.outbox(r)
	if err != nil {
		return err
	}
	return writeJSON(w, rows)
}

// triggerRow is one trigger call as the trigger log shows it.
type triggerRow struct {
	Time, Pool, Trigger, Function, Source, Event, Response, Duration, Error string
}

func (c *Console) triggerRows(r *http.Request) []triggerRow {
	if c.o.Triggers == nil {
		return nil
	}
	calls := c.o.Triggers.Recent(r.URL.Query().Get("pool"), 200)
	rows := make([]triggerRow, 0, len(calls))
	for _, t := range calls {
		rows = append(rows, triggerRow{Time: t.Time.UTC().Format("2006-01-02 15:04:05.000"), Pool: t.PoolID, Trigger: t.Trigger,
			Function: t.Function, Source: t.Source, Event: indentJSON(t.Event), Response: indentJSON(t.Response),
			Duration: strconv.FormatFloat(float64(t.Duration.Microseconds())/1000, 'f', 1, 64) + " ms", Error: t.Error})
	}
	return rows
}

func (c *Console) triggersPage(w http.ResponseWriter, r *http.Request) error {
	return c.render(w, r, "triggers", "Trigger log", map[string]any{"Rows": c.triggerRows(r), "Pool": r.URL.Query().Get("pool")})
}

func (c *Console) triggersJSON(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, c.triggerRows(r))
}

func writeJSON(w http.ResponseWriter, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write(b)
	return err
}

// indentJSON pretty-prints raw JSON; what is not JSON is shown as is.
func indentJSON(raw []byte) string {
	var b bytes.Buffer
	if json.Indent(&b, raw, "", "  ") != nil {
		return string(raw)
	}
	return b.String()
}
