package message

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cognate-idp/cognate/internal/store"
)

// Medium is how a message travels, spelled as Cognito's DeliveryMedium.
type Medium string

// The delivery media Cognito uses for verification codes.
const (
	Email Medium = "EMAIL"
	SMS   Medium = "SMS"
)

// Outbox states of a stored message (store.Message.State).
const (
	StatePending    = "pending"
	StateSent       = "sent"
	StateFailed     = "failed"
	StateSuppressed = "suppressed"
)

// Message is one verification message: who it is for, where it goes and
// what it says. Code is the clear code (kept so that the local outbox can
// show it); it is never logged.
type Message struct {
	ID            string
	PoolID        string
	Username      string
	AttributeName string
	Medium        Medium
	Destination   string
	Subject       string
	Body          string
	Code          string
	Created       time.Time
}

// ToRecord returns the outbox record of a new message: state pending, no
// attempts yet.
func (m Message) ToRecord() store.Message {
	return store.Message{
		ID:             m.ID,
		PoolID:         m.PoolID,
		Username:       m.Username,
		AttributeName:  m.AttributeName,
		DeliveryMedium: string(m.Medium),
		Destination:    m.Destination,
		Subject:        m.Subject,
		Body:           m.Body,
		Code:           m.Code,
		Created:        m.Created,
		State:          StatePending,
	}
}

// FromRecord returns the message held in an outbox record; the delivery
// state (State, Attempts, LastError) is not part of a Message.
func FromRecord(r store.Message) Message {
	return Message{
		ID:            r.ID,
		PoolID:        r.PoolID,
		Username:      r.Username,
		AttributeName: r.AttributeName,
		Medium:        Medium(r.DeliveryMedium),
		Destination:   r.Destination,
		Subject:       r.Subject,
		Body:          r.Body,
		Code:          r.Code,
		Created:       r.Created,
	}
}

// Enqueue records m in the outbox as pending. Call it inside the same
// Update that stores the code, then deliver after the commit.
func Enqueue(tx store.Tx, m Message) error {
	return tx.CreateMessage(m.ToRecord())
}

// MaskedDestination returns m's destination masked as in
// CodeDeliveryDetails.
func (m Message) MaskedDestination() string { return Mask(m.Medium, m.Destination) }

// Mask hides a destination the way Cognito's CodeDeliveryDetails does.
//
// Email: the first character of the local part, "***@", the first
// character of the domain, "***" (victimsemail@gmail.com → v***@g***).
// SMS: "+", one "*" per digit except the last four, then the last four
// digits (+12065551212 → +*******1212); characters other than digits are
// dropped, and a number of four digits or fewer is starred entirely so that
// a mask never reveals a whole number. Any other medium is starred
// entirely.
func Mask(m Medium, destination string) string {
	switch m {
	case Email:
		return maskEmail(destination)
	case SMS:
		return maskPhone(destination)
	default:
		return strings.Repeat("*", utf8.RuneCountInString(destination))
	}
}

func maskEmail(addr string) string {
	local, domain := addr, ""
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		local, domain = addr[:i], addr[i+1:]
	}
	return firstRune(local) + "***@" + firstRune(domain) + "***"
}

func firstRune(s string) string {
	if s == "" {
		return ""
	}
	_, n := utf8.DecodeRuneInString(s)
	return s[:n]
}

func maskPhone(number string) string {
	digits := make([]byte, 0, len(number))
	for i := 0; i < len(number); i++ {
		if c := number[i]; c >= '0' && c <= '9' {
			digits = append(digits, c)
		}
	}
	keep := 4
	if len(digits) <= keep {
		keep = 0
	}
	hidden := len(digits) - keep
	return "+" + strings.Repeat("*", hidden) + string(digits[hidden:])
}
