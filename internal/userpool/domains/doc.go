// Package domains implements user pool domains: the prefix domain
// (<prefix>.auth.<region>.amazoncognito.com in AWS) and the custom domain
// that host a pool's managed login and OAuth endpoints.
//
// A domain name is unique across all pools, so each domain is a store
// item of kind "domain" with PoolID "" keyed by its name, holding the
// domain's settings; the owning pool has an item of the same kind keyed
// "prefix" or "custom" that names it. DeleteUserPool does not remove
// PoolID "" items: the pool area calls Release in its delete transaction.
// It knows pools only through core.
package domains
