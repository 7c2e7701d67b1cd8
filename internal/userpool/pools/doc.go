// Package pools implements the operations on user pools and app clients:
// create, describe, update, delete, list and custom attributes, with the
// validation of their settings.
//
// It must not know users or sign-in; deleting a pool tells the tokens area
// to forget the pool's keys.
package pools
