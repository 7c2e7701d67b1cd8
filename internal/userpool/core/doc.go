// Package core holds what every area of the user-pool service needs: the
// records of pools, app clients and users with their loading, caching and
// saving; the attribute schema; IDs and randomness; the errors shared by
// several operations; and Env, the store, clock and sealer each area's
// Service embeds.
//
// It knows no operation and no other area: nothing here may call a trigger,
// send a message or issue a token. A helper belongs here only when at least
// two areas need it; otherwise it lives in its area.
package core
