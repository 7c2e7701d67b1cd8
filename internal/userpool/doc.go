// Package userpool holds Cognito's user-pool rules: pools and their schemas,
// app clients, users and their attributes, verification codes, sign-up,
// sign-in flows, token issue and revocation.
//
// Operations take and return the generated shapes of package model, the
// vocabulary of the API. The package knows no HTTP and no SQL: it reads and
// writes records through store.Store, sends messages through package message
// and calls Lambda triggers through package trigger, never inside a store
// transaction.
package userpool
