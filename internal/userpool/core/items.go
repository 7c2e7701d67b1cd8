package core

// Kinds of store items that more than one area reads or deletes.
const (
	// LogDeliveryKind holds a pool's log delivery configuration (ID "").
	LogDeliveryKind = "log-delivery"
	// RiskKind holds risk configurations: ID "" for the pool's, a client
	// ID for that client's own. DeleteUserPoolClient removes the client's.
	RiskKind = "risk"
)
