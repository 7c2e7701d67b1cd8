// Package branding stores how a pool's hosted sign-in pages should look:
// the hosted UI (classic) customization of a pool or app client
// (SetUICustomization, GetUICustomization) and the managed login branding
// style of an app client (CreateManagedLoginBranding and its kin), and
// the terms of use and privacy policy an app client links to (CreateTerms
// and its kin).
//
// Cognate serves no hosted pages yet, so nothing here is applied: the
// settings are validated as Cognito validates them, stored as items and
// returned. Each lives in a store item, so DeletePool removes them with
// the pool and core.DeleteClientItems with their client.
package branding
