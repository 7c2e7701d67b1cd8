// Package obs is the server's operational surface: the access log (one
// line per request) and the Prometheus metrics served at /metrics.
//
// Neither ever carries request or response bodies: no tokens, codes or
// passwords reach them.
package obs
