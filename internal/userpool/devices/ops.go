package devices

import (
	"context"
	"slices"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// owner names whose devices an operation works on: the holder of an access
// token, or a user named by an administrator.
type owner struct {
	token            *string
	poolID, username *string
}

// withUser runs fn on the owner's user inside one transaction; with write
// the user is saved afterwards.
func (s *Service) withUser(ctx context.Context, o owner, write bool, fn func(p *core.Pool, u *core.User) error) error {
	run := s.Store.View
	if write {
		run = s.Store.Update
	}
	if o.token != nil || o.poolID == nil {
		c, err := s.tokens.Authorize(ctx, model.StringValue(o.token))
		if err != nil {
			return err
		}
		return run(ctx, func(tx store.Tx) error {
			u, err := s.Reload(tx, c.Pool, c.User)
			if err != nil {
				return err
			}
			if err := fn(c.Pool, u); err != nil || !write {
				return err
			}
			return s.PutUser(tx, u)
		})
	}
	return run(ctx, func(tx store.Tx) error {
		p, err := s.LoadPool(tx, model.StringValue(o.poolID))
		if err != nil {
			return err
		}
		u, err := s.ResolveUser(tx, p, model.StringValue(o.username))
		if err != nil {
			return err
		}
		if err := fn(p, u); err != nil || !write {
			return err
		}
		return s.PutUser(tx, u)
	})
}

func (s *Service) get(ctx context.Context, o owner, key *string) (model.DeviceType, error) {
	var out model.DeviceType
	err := s.withUser(ctx, o, false, func(_ *core.Pool, u *core.User) error {
		d := u.Device(model.StringValue(key))
		if d == nil {
			return NotFound()
		}
		out = view(d)
		return nil
	})
	return out, err
}

// maxListLimit is the model's largest Limit and the default page size.
const maxListLimit = 60

func (s *Service) list(ctx context.Context, o owner, limit *int32, token *string) ([]model.DeviceType, *string, error) {
	n := int(model.Int32Value(limit))
	if n <= 0 || n > maxListLimit {
		n = maxListLimit
	}
	var out []model.DeviceType
	var next *string
	err := s.withUser(ctx, o, false, func(_ *core.Pool, u *core.User) error {
		devs := u.Devices()
		start := 0
		if t := model.StringValue(token); t != "" {
			i := slices.IndexFunc(devs, func(d core.Device) bool { return d.Key == t })
			if i < 0 {
				// Unconfirmed: Cognito's message for a stale pagination token.
				return cognito.New(cognito.InvalidParameter, "Invalid pagination token.")
			}
			start = i
		}
		end := min(start+n, len(devs))
		for i := start; i < end; i++ {
			out = append(out, view(&devs[i]))
		}
		if end < len(devs) {
			next = model.String(devs[end].Key)
		}
		return nil
	})
	if out == nil {
		out = []model.DeviceType{}
	}
	return out, next, err
}

func (s *Service) forget(ctx context.Context, o owner, key *string) error {
	k := model.StringValue(key)
	return s.withUser(ctx, o, true, func(_ *core.Pool, u *core.User) error {
		if u.Device(k) == nil {
			return NotFound()
		}
		x := u.Doc.Extra
		x.Devices = slices.DeleteFunc(x.Devices, func(d core.Device) bool { return d.Key == k })
		// Its refresh tokens stop working: remember the key for a while.
		x.Forgotten = append(x.Forgotten, k)
		if over := len(x.Forgotten) - core.MaxForgottenDevices; over > 0 {
			x.Forgotten = x.Forgotten[over:]
		}
		return nil
	})
}

func (s *Service) setStatus(ctx context.Context, o owner, key, status *string) error {
	st := model.StringValue(status)
	if st != "remembered" && st != "not_remembered" {
		// Unconfirmed: Cognito's message for a missing status; the model
		// checks the enum.
		return cognito.New(cognito.InvalidParameter, "DeviceRememberedStatus must be remembered or not_remembered.")
	}
	return s.withUser(ctx, o, true, func(_ *core.Pool, u *core.User) error {
		d := u.Device(model.StringValue(key))
		if d == nil {
			return NotFound()
		}
		d.Remember = st == "remembered"
		d.Modified = s.Now().UTC()
		return nil
	})
}

// GetDevice describes one of the signed-in user's devices.
func (s *Service) GetDevice(ctx context.Context, in *model.GetDeviceRequest) (*model.GetDeviceResponse, error) {
	d, err := s.get(ctx, owner{token: in.AccessToken}, in.DeviceKey)
	if err != nil {
		return nil, err
	}
	return &model.GetDeviceResponse{Device: &d}, nil
}

// AdminGetDevice describes one of a user's devices.
func (s *Service) AdminGetDevice(ctx context.Context, in *model.AdminGetDeviceRequest) (*model.AdminGetDeviceResponse, error) {
	d, err := s.get(ctx, owner{poolID: in.UserPoolId, username: in.Username}, in.DeviceKey)
	if err != nil {
		return nil, err
	}
	return &model.AdminGetDeviceResponse{Device: &d}, nil
}

// ListDevices lists the signed-in user's devices in the order they were
// confirmed.
func (s *Service) ListDevices(ctx context.Context, in *model.ListDevicesRequest) (*model.ListDevicesResponse, error) {
	devs, next, err := s.list(ctx, owner{token: in.AccessToken}, in.Limit, in.PaginationToken)
	if err != nil {
		return nil, err
	}
	return &model.ListDevicesResponse{Devices: devs, PaginationToken: next}, nil
}

// AdminListDevices lists a user's devices.
func (s *Service) AdminListDevices(ctx context.Context, in *model.AdminListDevicesRequest) (*model.AdminListDevicesResponse, error) {
	devs, next, err := s.list(ctx, owner{poolID: in.UserPoolId, username: in.Username}, in.Limit, in.PaginationToken)
	if err != nil {
		return nil, err
	}
	return &model.AdminListDevicesResponse{Devices: devs, PaginationToken: next}, nil
}

// ForgetDevice forgets one of the signed-in user's devices; refresh tokens
// issued on it stop working.
func (s *Service) ForgetDevice(ctx context.Context, in *model.ForgetDeviceRequest) (any, error) {
	return nil, s.forget(ctx, owner{token: in.AccessToken}, in.DeviceKey)
}

// AdminForgetDevice forgets one of a user's devices.
func (s *Service) AdminForgetDevice(ctx context.Context, in *model.AdminForgetDeviceRequest) (any, error) {
	return nil, s.forget(ctx, owner{poolID: in.UserPoolId, username: in.Username}, in.DeviceKey)
}

// UpdateDeviceStatus remembers or stops remembering one of the signed-in
// user's devices.
func (s *Service) UpdateDeviceStatus(ctx context.Context, in *model.UpdateDeviceStatusRequest) (*model.UpdateDeviceStatusResponse, error) {
	if err := s.setStatus(ctx, owner{token: in.AccessToken}, in.DeviceKey, in.DeviceRememberedStatus); err != nil {
		return nil, err
	}
	return &model.UpdateDeviceStatusResponse{}, nil
}

// AdminUpdateDeviceStatus remembers or stops remembering a user's device.
func (s *Service) AdminUpdateDeviceStatus(ctx context.Context, in *model.AdminUpdateDeviceStatusRequest) (*model.AdminUpdateDeviceStatusResponse, error) {
	if err := s.setStatus(ctx, owner{poolID: in.UserPoolId, username: in.Username}, in.DeviceKey, in.DeviceRememberedStatus); err != nil {
		return nil, err
	}
	return &model.AdminUpdateDeviceStatusResponse{}, nil
}
