// Package resourceservers implements a pool's OAuth 2.0 resource servers
// and their custom scopes: create, describe, update, delete and list them.
//
// Each resource server is a store item of kind "resource-server" keyed by
// its Identifier; the shape constraints of the model (lengths, patterns,
// at most 100 scopes) are checked at the wire edge before a request gets
// here. It knows pools only through core.
package resourceservers
