// Package devices holds users' remembered devices: the device keys handed
// out at sign-in (NewDeviceMetadata), ConfirmDevice with the device's SRP
// verifier, and the operations that list, describe, remember and forget
// devices. Device SRP sign-in (DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER)
// lives in package auth.
package devices
