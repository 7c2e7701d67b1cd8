// Package hosted serves the managed login pages of pool domains:
// GET /oauth2/authorize, the /login page with its challenge pages (MFA
// setup included), the account pages (/signup, /confirm, /resendcode,
// /forgotPassword, /confirmForgotPassword), GET /logout and the /profile
// page, on a domain's host and under /<pool id>, in the pool's UI
// customization or branding.
//
// The pages are server-rendered from embedded templates with no external
// assets. Forms carry a CSRF token bound to a cookie; cookies are
// SameSite=Lax, since the flow is a chain of top-level navigations. The
// rules (which requests are valid, sign-in, codes) are package login's;
// this package knows only HTTP and HTML.
package hosted
