// Package store defines Cognate's storage interface and records.
//
// Storage is dumb on purpose: a backend stores and finds records, enforces
// uniqueness and makes every Update atomic and durable, and knows no Cognito
// rule. Pools, clients and users carry a Data document that only the domain
// (the areas of package userpool) reads, so a second backend never re-implements a rule.
// Every backend must pass the conformance suite in package storetest.
package store
