// Package triggers builds the Lambda trigger events of a user pool
// (PreSignUp, PostConfirmation, Pre/PostAuthentication, PreTokenGeneration,
// CustomMessage, UserMigration) from its records and applies the answers:
// auto-confirmation, claim and scope overrides, migrated users' attributes.
//
// Invoking Lambda is package trigger's job; this package decides what to
// send and what an answer changes. It must not issue tokens, send messages
// or write the store.
package triggers
