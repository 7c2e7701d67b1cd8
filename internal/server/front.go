package server

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cognate-idp/cognate/internal/awsjson"
)

// Direct answers awsJson1_1 calls without net/http; *awsjson.Edge is one.
type Direct interface {
	Direct(target string) bool
	MaxBody() int64
	Handle(ctx context.Context, c awsjson.Call) awsjson.Reply
}

// Front accepts HTTP/1.1 connections for a Server. The request that makes
// up nearly all of the traffic, an unsigned awsJson1_1 POST / with a
// Content-Length, it parses and answers itself: one read and one write
// per request and no per-request goroutines or header maps. The first
// request of a connection that is anything else (another method or path,
// a browser's Origin, a signature, chunked bodies, Expect, a header it
// does not parse exactly) hands the connection, with the bytes already
// read, to Server, which serves it for the rest of its life. So every
// request either takes the narrow path or gets net/http's full behaviour;
// the two answer the same request with the same bytes.
type Front struct {
	Server *http.Server // serves every connection Front hands over; its timeouts apply to both
	Direct Direct       // nil hands every connection to Server

	once     sync.Once
	mu       sync.Mutex
	conns    map[*frontConn]struct{}
	ln       net.Listener
	handoff  *connQueue
	closing  atomic.Bool
	served   chan struct{} // closed when Server.Serve has returned
	baseCtx  context.Context
	stopBase context.CancelFunc
}

// frontConn states.
const (
	stateIdle   int32 = iota // waiting for a request
	stateActive              // reading, serving or answering a request
	stateClosed              // closed by Shutdown
)

type frontConn struct {
	rwc    net.Conn
	br     *bufio.Reader
	state  atomic.Int32
	remote string
	out    []byte
	body   []byte
	// The last X-Amz-Target and User-Agent seen: a client sends the same
	// ones again and again, so they become strings once.
	target, agent string
	// The deadlines in place (see keepDeadline).
	readDL, writeDL time.Time
}

// Moving a deadline costs a timer update, and a busy connection would
// move its idle and write deadlines on every request by a few
// microseconds. A deadline in place stands instead while it is at most a
// sixteenth of its timeout, and never more than a second, earlier than
// asked: the timeouts may end that much early.
const maxDeadlineSlop = time.Second

func (fc *frontConn) setReadDeadline(t time.Time, timeout time.Duration) error {
	if keepDeadline(fc.readDL, t, timeout) {
		return nil
	}
	fc.readDL = t
	return fc.rwc.SetReadDeadline(t)
}

func (fc *frontConn) setWriteDeadline(t time.Time, timeout time.Duration) error {
	if keepDeadline(fc.writeDL, t, timeout) {
		return nil
	}
	fc.writeDL = t
	return fc.rwc.SetWriteDeadline(t)
}

// keepDeadline reports whether the deadline in place, cur, may stand for
// want, a deadline timeout from now.
func keepDeadline(cur, want time.Time, timeout time.Duration) bool {
	if cur.IsZero() || want.IsZero() {
		return cur.Equal(want)
	}
	d := want.Sub(cur)
	return d >= 0 && d < min(timeout/16, maxDeadlineSlop)
}

// str returns b as a string, reusing *last when it holds the same bytes.
func str(b []byte, last *string) string {
	if string(b) != *last {
		*last = string(b)
	}
	return *last
}

// readBufferSize bounds the head (request line and headers) that Front
// parses itself; larger heads go to net/http.
const readBufferSize = 4096

func (f *Front) setup() {
	f.once.Do(func() {
		f.conns = make(map[*frontConn]struct{})
		f.handoff = newConnQueue()
		f.served = make(chan struct{})
		f.baseCtx, f.stopBase = context.WithCancel(context.Background())
	})
}

// Serve accepts connections on ln until Shutdown; it returns
// http.ErrServerClosed then, as http.Server.Serve does.
func (f *Front) Serve(ln net.Listener) error {
	f.setup()
	f.mu.Lock()
	if f.ln != nil {
		f.mu.Unlock()
		return errors.New("server: Front.Serve called twice")
	}
	if f.closing.Load() {
		f.mu.Unlock()
		ln.Close()
		return http.ErrServerClosed
	}
	f.ln = ln
	f.handoff.addr = ln.Addr()
	f.mu.Unlock()
	go func() {
		defer close(f.served)
		_ = f.Server.Serve(f.handoff) // ends with the queue, closed by Shutdown or Close
	}()

	var delay time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if f.closing.Load() {
				return http.ErrServerClosed
			}
			if temporaryAcceptError(err) {
				// Out of file descriptors and the like: back off and
				// retry, as net/http does.
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				time.Sleep(delay)
				continue
			}
			return err
		}
		delay = 0
		if f.Direct == nil {
			f.handoff.put(c)
			continue
		}
		fc := &frontConn{rwc: c, remote: c.RemoteAddr().String()}
		if !f.track(fc) {
			c.Close()
			return http.ErrServerClosed
		}
		go f.serveConn(fc)
	}
}

// temporaryAcceptError reports whether Accept may succeed again: the
// errors net/http retries (a timeout, a connection aborted before it was
// accepted, running out of descriptors, buffers or memory).
func temporaryAcceptError(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	for _, e := range []error{syscall.ECONNABORTED, syscall.ECONNRESET, syscall.EMFILE, syscall.ENFILE,
		syscall.ENOBUFS, syscall.ENOMEM, syscall.EAGAIN, syscall.EINTR} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func (f *Front) track(fc *frontConn) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closing.Load() {
		return false
	}
	f.conns[fc] = struct{}{}
	return true
}

func (f *Front) untrack(fc *frontConn) {
	f.mu.Lock()
	delete(f.conns, fc)
	f.mu.Unlock()
}

// Shutdown stops accepting, closes idle connections and waits for the
// others to finish their request, as http.Server.Shutdown does, for both
// Front's own connections and Server's.
func (f *Front) Shutdown(ctx context.Context) error {
	f.setup()
	f.mu.Lock()
	f.closing.Store(true)
	ln := f.ln
	f.mu.Unlock()
	if ln == nil {
		f.handoff.Close()
		return f.Server.Shutdown(ctx)
	}
	lnErr := ln.Close()
	f.handoff.Close()
	errc := make(chan error, 1)
	go func() { errc <- f.Server.Shutdown(ctx) }()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		f.mu.Lock()
		for fc := range f.conns {
			if fc.state.CompareAndSwap(stateIdle, stateClosed) {
				fc.rwc.Close()
				delete(f.conns, fc)
			}
		}
		n := len(f.conns)
		f.mu.Unlock()
		if n == 0 {
			break
		}
		select {
		case <-ctx.Done():
			f.stopBase()
			return ctx.Err()
		case <-tick.C:
		}
	}
	f.stopBase()
	err := <-errc
	<-f.served
	if err == nil && lnErr != nil && !errors.Is(lnErr, net.ErrClosed) {
		err = lnErr
	}
	return err
}

// Close closes the listener and every connection at once, as
// http.Server.Close does.
func (f *Front) Close() error {
	f.setup()
	f.mu.Lock()
	f.closing.Store(true)
	ln := f.ln
	for fc := range f.conns {
		fc.state.Store(stateClosed)
		fc.rwc.Close()
		delete(f.conns, fc)
	}
	f.mu.Unlock()
	if ln == nil {
		f.handoff.Close()
		return f.Server.Close()
	}
	ln.Close()
	f.handoff.Close()
	err := f.Server.Close()
	f.stopBase()
	<-f.served
	return err
}

func (f *Front) serveConn(fc *frontConn) {
	fc.br = bufio.NewReaderSize(fc.rwc, readBufferSize)
	handed := false
	defer func() {
		f.untrack(fc)
		if !handed {
			fc.rwc.Close()
		}
	}()
	for {
		idle := f.Server.IdleTimeout
		if idle <= 0 {
			idle = f.Server.ReadTimeout
		}
		if fc.setReadDeadline(deadline(idle), idle) != nil {
			return
		}
		if _, err := fc.br.Peek(1); err != nil {
			return
		}
		if !fc.state.CompareAndSwap(stateIdle, stateActive) {
			return // Shutdown closed it
		}
		// A head that arrived whole is read without waiting; otherwise the
		// rest must come within the header timeout.
		head, req, complete := bufferedHead(fc.br)
		if !complete {
			rt := f.Server.ReadHeaderTimeout
			if rt <= 0 || (f.Server.ReadTimeout > 0 && f.Server.ReadTimeout < rt) {
				rt = f.Server.ReadTimeout
			}
			if fc.setReadDeadline(deadline(rt), rt) != nil {
				return
			}
			var err error
			if head, req, err = readHead(fc.br); err != nil {
				return
			}
		}
		// Strings now: the head's bytes may be overwritten once the body
		// is read past the buffer.
		var target, agent string
		if head != nil {
			target, agent = str(req.target, &fc.target), str(req.userAgent, &fc.agent)
		}
		if head == nil || req.contentLength > f.Direct.MaxBody() || !f.Direct.Direct(target) {
			// Not for the narrow path: net/http reads this request again
			// from the start, with everything that follows.
			_ = fc.setReadDeadline(time.Time{}, 0)
			handed = f.handoff.put(&bufferedConn{Conn: fc.rwc, r: fc.br})
			if handed {
				f.untrack(fc)
			}
			return
		}
		n := len(head)
		cl := int(req.contentLength)
		if f.Server.ReadTimeout > 0 && n+cl > fc.br.Buffered() {
			_ = fc.setReadDeadline(time.Now().Add(f.Server.ReadTimeout), f.Server.ReadTimeout)
		}
		var body []byte
		inBuffer := n+cl <= fc.br.Size()
		if inBuffer {
			p, err := fc.br.Peek(n + cl)
			if err != nil {
				return
			}
			body = p[n:]
		} else {
			if _, err := fc.br.Discard(n); err != nil {
				return
			}
			if cap(fc.body) < cl {
				fc.body = make([]byte, cl)
			}
			body = fc.body[:cl]
			if _, err := io.ReadFull(fc.br, body); err != nil {
				return
			}
		}
		rep := f.Direct.Handle(f.baseCtx, awsjson.Call{
			Target: target, Body: body, UserAgent: agent, SourceIP: fc.remote,
		})
		if inBuffer {
			_, _ = fc.br.Discard(n + cl)
		}
		if cap(fc.body) > 64<<10 {
			fc.body = nil // keep no large buffer on an idle connection
		}
		keep := !req.close && !f.closing.Load()
		fc.out = appendResponse(fc.out[:0], &rep, keep)
		if fc.setWriteDeadline(deadline(f.Server.WriteTimeout), f.Server.WriteTimeout) != nil {
			return
		}
		if _, err := fc.rwc.Write(fc.out); err != nil {
			return
		}
		if !keep {
			closeWriteAndWait(fc.rwc)
			return
		}
		if cap(fc.out) > 64<<10 {
			fc.out = nil
		}
		if !fc.state.CompareAndSwap(stateActive, stateIdle) || f.closing.Load() {
			return
		}
	}
}

// closeWriteAndWait sends FIN and gives the client a moment to read the
// answer before the connection closes, as net/http does, so that unread
// request bytes do not make the close a reset that destroys the answer.
func closeWriteAndWait(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
	}
	time.Sleep(500 * time.Millisecond)
}

// deadline is d from now; zero is no deadline.
func deadline(d time.Duration) time.Time {
	if d <= 0 {
		return time.Time{}
	}
	return time.Now().Add(d)
}

// appendResponse appends the HTTP/1.1 response net/http would write for rep.
func appendResponse(b []byte, rep *awsjson.Reply, keepAlive bool) []byte {
	b = append(b, "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(rep.Status), 10)
	b = append(b, ' ')
	b = append(b, http.StatusText(rep.Status)...)
	b = append(b, "\r\n"...)
	rep.Header(func(k, v string) {
		b = append(b, k...)
		b = append(b, ": "...)
		b = append(b, v...)
		b = append(b, "\r\n"...)
	})
	b = append(b, "Date: "...)
	b = appendDate(b)
	b = append(b, "\r\nContent-Length: "...)
	b = strconv.AppendInt(b, int64(len(rep.Body)), 10)
	if !keepAlive {
		b = append(b, "\r\nConnection: close"...)
	}
	b = append(b, "\r\n\r\n"...)
	return append(b, rep.Body...)
}

// dateCache holds the Date header value of the current second.
type dateCache struct {
	unix int64
	text []byte
}

var currentDate atomic.Pointer[dateCache]

func appendDate(b []byte) []byte {
	now := time.Now()
	d := currentDate.Load()
	if d == nil || d.unix != now.Unix() {
		d = &dateCache{unix: now.Unix(), text: now.UTC().AppendFormat(nil, http.TimeFormat)}
		currentDate.Store(d)
	}
	return append(b, d.text...)
}

// bufferedConn is a connection whose first bytes were already read into r.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// connQueue is the net.Listener through which Front hands connections to
// http.Server.
type connQueue struct {
	addr   net.Addr
	ch     chan net.Conn
	done   chan struct{}
	closer sync.Once
}

func newConnQueue() *connQueue {
	return &connQueue{ch: make(chan net.Conn), done: make(chan struct{})}
}

// put hands c over; once the queue is closed it closes c and reports false.
func (q *connQueue) put(c net.Conn) bool {
	select {
	case q.ch <- c:
		return true
	case <-q.done:
		c.Close()
		return false
	}
}

func (q *connQueue) Accept() (net.Conn, error) {
	select {
	case c := <-q.ch:
		return c, nil
	case <-q.done:
		return nil, net.ErrClosed
	}
}

func (q *connQueue) Close() error {
	q.closer.Do(func() { close(q.done) })
	return nil
}

func (q *connQueue) Addr() net.Addr { return q.addr }
