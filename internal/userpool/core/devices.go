package core

import (
	"time"

	"github.com/cognate-idp/cognate/internal/model"
)

// Device is a user's device confirmed for device SRP authentication
// (ConfirmDevice). Its secret is the SRP verifier the client made from a
// random password it keeps; the server never sees that password.
type Device struct {
	Key      string    `json:"key"`
	GroupKey string    `json:"group"`
	Name     string    `json:"name,omitempty"`
	Salt     []byte    `json:"salt"`
	Verifier []byte    `json:"v"`
	Remember bool      `json:"remembered,omitempty"`
	Created  time.Time `json:"created"`
	Modified time.Time `json:"modified"`
	LastAuth time.Time `json:"last_auth,omitzero"`
	LastIP   string    `json:"ip,omitempty"`
}

// MaxForgottenDevices bounds the forgotten device keys a user keeps, whose
// tokens stay refused. A new device key comes only with a full sign-in,
// so only a user who forgets that many devices reaches it.
const MaxForgottenDevices = 200

// TracksDevices says whether the pool remembers devices: any value in its
// DeviceConfiguration turns it on.
func (p *Pool) TracksDevices() bool {
	dc := p.Cfg.DeviceConfiguration
	return dc != nil && (dc.ChallengeRequiredOnNewDevice != nil || dc.DeviceOnlyRememberedOnUserPrompt != nil)
}

// RememberedDeviceSkipsMFA says whether signing in with a remembered device
// replaces the second factor (ChallengeRequiredOnNewDevice).
func (p *Pool) RememberedDeviceSkipsMFA() bool {
	return p.TracksDevices() && model.BoolValue(p.Cfg.DeviceConfiguration.ChallengeRequiredOnNewDevice)
}

// Device returns u's confirmed device with key, or nil.
func (u *User) Device(key string) *Device {
	if u.Doc.Extra == nil || key == "" {
		return nil
	}
	for i := range u.Doc.Extra.Devices {
		if u.Doc.Extra.Devices[i].Key == key {
			return &u.Doc.Extra.Devices[i]
		}
	}
	return nil
}

// Devices returns u's confirmed devices.
func (u *User) Devices() []Device {
	if u.Doc.Extra == nil {
		return nil
	}
	return u.Doc.Extra.Devices
}

// DeviceForgotten says whether key is a device u forgot.
func (u *User) DeviceForgotten(key string) bool {
	if u.Doc.Extra == nil || key == "" {
		return false
	}
	for _, k := range u.Doc.Extra.Forgotten {
		if k == key {
			return true
		}
	}
	return false
}
