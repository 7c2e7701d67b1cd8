// Package oauth implements the OAuth 2.0 token endpoint of pool domains:
// the client_credentials grant, which gives an app client with a secret an
// access token for custom scopes of the pool's resource servers.
//
// It answers with *cognito.OAuthError values; the HTTP side (form
// parsing, Basic authentication, status codes, routing by Host) is in
// package server. It knows pools through core, their domains through
// domains, scopes through resourceservers and signing through tokens.
package oauth
