package console

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"io"
	"net/http"
	"time"
)

const (
	sessionCookie = "cognate_console"
	flashCookie   = "cognate_console_flash"
	csrfField     = "csrf"
)

// authorized reports whether r may use the console: always when no admin
// credentials are configured, else only with them as HTTP Basic
// credentials. It compares in constant time.
func (c *Console) authorized(r *http.Request) bool {
	if c.o.AdminAccessKeyID == "" {
		return true
	}
	user, pass, ok := r.BasicAuth()
	if !ok {
		return false
	}
	u := subtle.ConstantTimeCompare([]byte(user), []byte(c.o.AdminAccessKeyID))
	p := subtle.ConstantTimeCompare([]byte(pass), []byte(c.o.AdminSecretAccessKey))
	return u&p == 1
}

// session returns the request's session id, creating the cookie when the
// request has none (or a malformed one).
func (c *Console) session(w http.ResponseWriter, r *http.Request) (string, error) {
	if ck, err := r.Cookie(sessionCookie); err == nil && len(ck.Value) == 43 {
		return ck.Value, nil
	}
	b := make([]byte, 32)
	if _, err := io.ReadFull(c.o.Random, b); err != nil {
		return "", err
	}
	id := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, c.cookie(sessionCookie, id, 0))
	r.AddCookie(&http.Cookie{Name: sessionCookie, Value: id}) // later reads in this request see it
	return id, nil
}

func (c *Console) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: Path, MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode}
}

// csrfToken is the token forms of session id must carry.
func (c *Console) csrfToken(id string) string {
	m := hmac.New(sha256.New, c.o.Key)
	m.Write([]byte("console csrf\x00" + id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkCSRF reports whether a POST carries the token of its session
// cookie. A request without the cookie fails: SameSite=Strict keeps the
// cookie off requests other sites start.
func (c *Console) checkCSRF(r *http.Request) bool {
	ck, err := r.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return false
	}
	want := c.csrfToken(ck.Value)
	return hmac.Equal([]byte(r.PostFormValue(csrfField)), []byte(want))
}

// setFlash leaves a one-line notice for the next page the browser shows.
func (c *Console) setFlash(w http.ResponseWriter, msg string) {
	http.SetCookie(w, c.cookie(flashCookie, base64.RawURLEncoding.EncodeToString([]byte(msg)), 60))
}

// takeFlash returns and clears the pending notice.
func (c *Console) takeFlash(w http.ResponseWriter, r *http.Request) string {
	ck, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: Path, MaxAge: -1, Expires: time.Unix(0, 0),
		HttpOnly: true, SameSite: http.SameSiteStrictMode})
	b, err := base64.RawURLEncoding.DecodeString(ck.Value)
	if err != nil {
		return ""
	}
	return string(b)
}
