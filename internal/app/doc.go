// Package app wires a Cognate server from its configuration: the store, the
// message senders, the Lambda invoker, the user-pool service and the HTTP
// handler. cmd/cognate and the end-to-end tests build servers through it,
// so both run exactly the same assembly.
package app
