// Package server assembles Cognate's HTTP surface: the awsJson1_1 edge at
// POST /, the per-pool JWKS and OpenID discovery documents, the local
// message outbox and a health check, with CORS for browser SDKs and
// request logging. Front accepts the connections: it answers the common
// unsigned awsJson1_1 call itself and hands everything else to net/http.
//
// It must not hold user-pool rules or storage details.
package server
