package imports

import (
	"bytes"
	"crypto/subtle"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

func hmacEqual(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// fileError is why a whole file is refused: the job's CompletionMessage,
// a sentence.
type fileError string

func (e fileError) Error() string { return string(e) }

func failf(format string, args ...any) error { return fileError(fmt.Sprintf(format, args...)) }

// maxRows bounds the data rows of a file.
//
// Unconfirmed: Cognito documents 500,000 lines per file.
const maxRows = 500_000

// file is a parsed import file: the header's columns and the data rows.
type file struct {
	header []string
	col    map[string]int
	rows   [][]string
	lines  []int // the line each row starts on, for the log
}

// parseFile reads the whole file and checks its header against the
// pool's, so that a malformed file imports nobody. Its error is the job's
// CompletionMessage.
//
// The header must have every column of GetCSVHeader, in any order, and
// no other (Cognito: "all columns in the header must be present").
// Unconfirmed: the messages, and whether column names are matched
// exactly (here) or without case.
func parseFile(p *core.Pool, data []byte) (*file, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, failf("The CSV file is empty: it needs the header of GetCSVHeader.")
		}
		return nil, failf("The CSV file is malformed: %v.", err)
	}
	f := &file{header: header, col: map[string]int{}}
	want := map[string]bool{}
	for _, c := range csvHeader(p) {
		want[c] = true
	}
	for i, c := range header {
		c = strings.TrimSpace(c)
		header[i] = c
		if !want[c] {
			return nil, failf("The CSV header has a column that is not an attribute of the user pool: %q.", c)
		}
		if _, dup := f.col[c]; dup {
			return nil, failf("The CSV header has the column %q twice.", c)
		}
		f.col[c] = i
	}
	for _, c := range csvHeader(p) {
		if _, ok := f.col[c]; !ok {
			return nil, failf("The CSV header lacks the column %q (use the header of GetCSVHeader).", c)
		}
	}
	if len(p.AutoVerified) == 0 {
		// Cognito: "If the user pool has no auto-verified attributes, the
		// import job will not start." Unconfirmed: that it fails this way.
		return nil, failf("The user pool has no auto-verified attributes (email or phone_number): imported users could not reset their passwords.")
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, failf("The CSV file is malformed: %v.", err)
		}
		if len(f.rows) == maxRows {
			return nil, failf("The CSV file has more than %d users.", maxRows)
		}
		line, _ := r.FieldPos(0)
		f.rows = append(f.rows, rec)
		f.lines = append(f.lines, line)
	}
	return f, nil
}

// preparedRow is one data row checked and ready to create, or the reason
// it fails.
type preparedRow struct {
	line     int
	username string
	user     *core.User
	prepErr  error // from the row alone
	err      error // the row's outcome, once imported
}

// rowError is why one row fails; the job goes on.
func rowError(format string, args ...any) error {
	return cognito.Errorf(cognito.InvalidParameter, format, args...)
}

// prepareRow checks row i as AdminCreateUser checks its input, plus the
// rules of the import file: a username, cognito:mfa_enabled true or
// false, and a verified email or phone number among the pool's
// auto-verified attributes (Cognito: "at least one of the auto-verified
// attributes must be true for each user"), so that the user can reset
// the password.
func (s *Service) prepareRow(p *core.Pool, f *file, i int) *preparedRow {
	rec := f.rows[i]
	r := &preparedRow{line: f.lines[i]}
	if len(rec) != len(f.header) {
		r.prepErr = rowError("The row has %d fields; the header has %d.", len(rec), len(f.header))
		return r
	}
	r.username = rec[f.col[colUsername]]
	if r.username == "" {
		r.prepErr = rowError("The row has no cognito:username.")
		return r
	}
	var mfa bool
	switch v := strings.ToLower(rec[f.col[colMFA]]); v {
	case "", "false":
	case "true":
		mfa = true
	default:
		r.prepErr = rowError("cognito:mfa_enabled must be true or false, not %q.", v)
		return r
	}
	var attrs []model.AttributeType
	values := map[string]string{}
	for j, name := range f.header {
		if name == colUsername || name == colMFA || rec[j] == "" {
			continue
		}
		v := rec[j]
		if core.IsVerifiedFlag(name) {
			v = strings.ToLower(v)
		}
		values[name] = v
		attrs = append(attrs, model.AttributeType{Name: model.String(name), Value: model.String(v)})
	}
	verified := false
	for _, a := range []string{"email", "phone_number"} {
		if values[a+"_verified"] == "true" {
			if values[a] == "" {
				r.prepErr = rowError("%s_verified is true but the row has no %s.", a, a)
				return r
			}
			if p.AutoVerified[a] {
				verified = true
			}
		}
	}
	if !verified {
		// Unconfirmed: the message.
		r.prepErr = rowError("The user needs a verified email or phone number among the pool's auto-verified attributes.")
		return r
	}
	if mfa && values["phone_number"] == "" {
		// Unconfirmed: that SMS MFA needs a phone number in the file.
		r.prepErr = rowError("cognito:mfa_enabled is true but the row has no phone_number.")
		return r
	}
	u, err := s.users.PrepareImported(p, r.username, attrs)
	if err != nil {
		r.prepErr = err
		return r
	}
	if mfa {
		u.MFA(true).Enabled = []string{core.FactorSMS}
	}
	r.user = u
	return r
}
