package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned when a record does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrConflict is returned when a create or claim would break a uniqueness
// rule: an ID, user key, sub or alias key that is already taken.
var ErrConflict = errors.New("store: conflict")

// ErrReadOnly is returned by a write method called inside View.
var ErrReadOnly = errors.New("store: write in a read-only transaction")

// Store is a transactional record store.
type Store interface {
	// View runs fn with a read-only, consistent snapshot.
	View(ctx context.Context, fn func(Tx) error) error
	// Update runs fn in a read-write transaction. If fn returns an error
	// nothing it wrote is kept and that error is returned unchanged. When
	// Update returns nil the writes are committed and on stable storage
	// (fsync). fn may be run more than once (a backend may retry on a
	// serialisation conflict), so it must have no effect outside tx.
	Update(ctx context.Context, fn func(Tx) error) error
	// Close releases the store; it waits for in-flight updates.
	Close() error
}

// Tx is the set of operations available inside View and Update.
// Get methods return ErrNotFound when nothing matches, and so do the Delete
// methods of pools, clients and users. Create methods return ErrConflict on
// a duplicate ID; key IDs are unique across pools. A List limit of zero or
// less means no limit. fn must not call Update or View of the same store.
// The Data of a record a Tx returns may be shared with the store (a cache):
// callers replace it with a new slice and never modify it in place. Write
// methods do not keep the slices they are given.
type Tx interface {
	// Pools, ordered by ID.
	GetPool(id string) (Pool, error)
	// PoolModified returns only the pool's Modified time, so a caller that
	// holds a decoded copy can tell cheaply whether it is still current.
	PoolModified(id string) (time.Time, error)
	ListPools(afterID string, limit int) ([]Pool, error)
	CreatePool(p Pool) error // ErrConflict if the ID exists
	PutPool(p Pool) error    // replaces an existing pool; ErrNotFound if absent
	// DeletePool removes the pool and everything that belongs to it:
	// clients, users, aliases, groups and their members, keys, refresh
	// tokens and messages.
	DeletePool(id string) error

	// App clients, ordered by ID within a pool.
	GetClient(poolID, id string) (Client, error)
	// ClientModified returns only the client's Modified time.
	ClientModified(poolID, id string) (time.Time, error)
	// GetClientByID finds a client by its ID alone (client IDs are unique
	// across pools).
	GetClientByID(id string) (Client, error)
	ListClients(poolID, afterID string, limit int) ([]Client, error)
	CreateClient(c Client) error // ErrConflict if the ID exists (IDs are unique across pools)
	PutClient(c Client) error    // ErrNotFound if absent
	DeleteClient(poolID, id string) error

	// Users. Key is the user's lookup key (the internal username, folded to
	// lower case by the domain when the pool is case-insensitive); it and
	// Sub are unique within a pool. ListUsers is ordered by Key.
	GetUser(poolID, key string) (User, error)
	GetUserBySub(poolID, sub string) (User, error)
	ListUsers(poolID, afterKey string, limit int) ([]User, error)
	CountUsers(poolID string) (int64, error)
	CreateUser(u User) error // ErrConflict if Key or Sub is taken
	PutUser(u User) error    // replaces by (PoolID, Key); ErrNotFound if absent
	// DeleteUser removes the user, its aliases, its group memberships,
	// its index entries and its refresh tokens.
	DeleteUser(poolID, key string) error
	// FindUsers returns the users with an index entry that matches q,
	// ordered by (entry value, Key), each with the value it matched by.
	FindUsers(q UserQuery) ([]Found, error)

	// Groups, ordered by Name within a pool (names are case-sensitive).
	GetGroup(poolID, name string) (Group, error)
	ListGroups(poolID, afterName string, limit int) ([]Group, error)
	CountGroups(poolID string) (int64, error)
	CreateGroup(g Group) error // ErrConflict if the pool has a group of that name
	PutGroup(g Group) error    // replaces by (PoolID, Name); ErrNotFound if absent
	// DeleteGroup removes the group and its memberships.
	DeleteGroup(poolID, name string) error

	// Memberships of users (by Key) in groups (by Name). The domain checks
	// that both exist.
	AddMember(poolID, group, userKey string) error    // no error if already a member
	RemoveMember(poolID, group, userKey string) error // no error if not a member
	// ListUserGroups returns the groups userKey belongs to, ordered by Name.
	ListUserGroups(poolID, userKey, afterName string, limit int) ([]Group, error)
	// ListMembers returns the users of a group, ordered by Key.
	ListMembers(poolID, group, afterKey string, limit int) ([]User, error)

	// Aliases map an alias key (e.g. "email:jane@example.com", built by the
	// domain) to the Key of the user that holds it, unique per pool.
	GetAlias(poolID, alias string) (userKey string, err error)
	// PutAlias claims alias for userKey; ErrConflict if another user holds
	// it, nil if userKey already holds it.
	PutAlias(poolID, alias, userKey string) error
	DeleteAlias(poolID, alias string) error // no error if absent

	// Signing keys of a pool, oldest first.
	ListKeys(poolID string) ([]Key, error)
	CreateKey(k Key) error // ErrConflict if the Kid exists

	// Refresh tokens, by ID (the domain passes a hash, never the token).
	GetRefreshToken(id string) (RefreshToken, error)
	CreateRefreshToken(t RefreshToken) error
	PutRefreshToken(t RefreshToken) error // ErrNotFound if absent

	// Messages: the durable outbox of verification messages.
	CreateMessage(m Message) error
	PutMessage(m Message) error // ErrNotFound if absent
	GetMessage(id string) (Message, error)
	// ListMessages returns messages matching f, newest first.
	ListMessages(f MessageFilter) ([]Message, error)

	// Settings are server-wide values (e.g. the sealing key's ID).
	GetSetting(name string) ([]byte, error)
	PutSetting(name string, value []byte) error

	// Items are a pool's other records, each of a kind the domain names
	// (domains, resource servers, identity providers, import jobs, terms,
	// brandings) and unique by (PoolID, Kind, ID). A record unique across
	// pools uses PoolID "". DeletePool removes the pool's items.
	GetItem(poolID, kind, id string) (Item, error)
	// ListItems returns items of a kind with IDs after afterID, in ID order.
	ListItems(poolID, kind, afterID string, limit int) ([]Item, error)
	CreateItem(it Item) error                 // ErrConflict if it exists
	PutItem(it Item) error                    // replaces; ErrNotFound if absent
	DeleteItem(poolID, kind, id string) error // ErrNotFound if absent
}

// Item is one of a pool's other records; see Tx.GetItem.
type Item struct {
	PoolID   string
	Kind     string
	ID       string
	Created  time.Time
	Modified time.Time
	Data     []byte // owned by the domain
}

// Pool is a user pool record.
type Pool struct {
	ID       string
	Name     string
	Created  time.Time
	Modified time.Time
	Data     []byte // owned by the domain
}

// Client is an app client record.
type Client struct {
	PoolID   string
	ID       string
	Name     string
	Created  time.Time
	Modified time.Time
	Data     []byte // owned by the domain
}

// User is a user record.
type User struct {
	PoolID   string
	Key      string // unique lookup key of the username
	Username string // the internal username as the user chose it
	Sub      string
	Created  time.Time
	Modified time.Time
	Data     []byte // owned by the domain: attributes, status, hashes, codes
	// Index lists the values the user can be found by (FindUsers); the
	// domain derives it from Data. CreateUser and PutUser keep it; reads
	// leave it nil.
	Index []IndexEntry
	// IndexWas, when not nil, is the Index the stored record has, and
	// PutUser rewrites only the attributes whose value differs. When nil,
	// PutUser replaces every entry of the user.
	IndexWas []IndexEntry
}

// IndexEntry is one searchable value of a user. A user has at most one
// entry per attribute.
type IndexEntry struct {
	Attr  string
	Value string
}

// UserQuery selects users by index entry for FindUsers: entries of Attr
// whose value equals Value (or, with Prefix, begins with it), positioned
// after (AfterValue, AfterKey); both empty start at the first.
type UserQuery struct {
	PoolID     string
	Attr       string
	Value      string
	Prefix     bool
	AfterValue string
	AfterKey   string
	Limit      int
}

// Found is a user FindUsers matched, with the entry value it matched by.
type Found struct {
	Value string
	User  User
}

// Range returns the inclusive bounds of the entry positions q selects:
// (lowValue, lowKey) is exclusive, highValue inclusive. Every value with
// prefix p is at most p followed by U+10FFFF (the greatest code point),
// so every value in the range has prefix p, and the range misses only
// values that go on with U+10FFFF, a noncharacter, right after p. The
// backends compare bytes.
func (q UserQuery) Range() (lowValue, lowKey, highValue string) {
	lowValue, lowKey = q.Value, ""
	if q.AfterValue > lowValue || (q.AfterValue == lowValue && q.AfterKey > lowKey) {
		lowValue, lowKey = q.AfterValue, q.AfterKey
	}
	highValue = q.Value
	if q.Prefix {
		highValue += "\U0010FFFF"
	}
	return lowValue, lowKey, highValue
}

// Group is a group of users in a pool.
type Group struct {
	PoolID   string
	Name     string
	Created  time.Time
	Modified time.Time
	Data     []byte // owned by the domain: description, precedence, role
}

// Key is a pool's signing key.
type Key struct {
	PoolID  string
	Kid     string
	Use     string // "id" or "access"
	Private []byte // PKCS#8 DER
	Created time.Time
}

// RefreshToken is the server's record of a refresh token.
type RefreshToken struct {
	ID       string // hash of the token's identifier
	PoolID   string
	ClientID string
	UserKey  string
	Created  time.Time
	Expires  time.Time
	Revoked  bool
	Data     []byte // owned by the domain
}

// Message is one verification message in the outbox.
type Message struct {
	ID             string
	PoolID         string
	Username       string
	AttributeName  string
	DeliveryMedium string // "EMAIL" or "SMS"
	Destination    string
	Subject        string
	Body           string
	Code           string
	Created        time.Time
	State          string // "pending", "sent", "failed", "suppressed"
	Attempts       int
	LastError      string
}

// MessageFilter selects messages; empty fields match everything.
type MessageFilter struct {
	PoolID        string
	Username      string
	AttributeName string
	Limit         int // 0 means no limit
}
