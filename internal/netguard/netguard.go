// Package netguard makes HTTP clients that reach public addresses only,
// for requests to URLs that users of the API choose (an identity
// provider's endpoints): such a client cannot be pointed at the server's
// own loopback, the private network it runs in or a cloud metadata
// address.
package netguard

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// blocked are the ranges that are not public besides those netip names:
// "this network", shared address space (RFC 6598), IETF protocol
// assignments (Teredo among them), the documentation and benchmarking
// ranges, 6to4 relays, IPv4-compatible, SIIT and NAT64 forms, the IPv6
// discard and site-local ranges, and the reserved 240.0.0.0/4.
var blocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("192.88.99.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("::/96"),           // IPv4-compatible
	netip.MustParsePrefix("::ffff:0:0:0/96"), // SIIT
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("100::/64"),  // discard
	netip.MustParsePrefix("2001::/23"), // IETF protocol assignments, Teredo among them
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("fec0::/10"), // site-local
	netip.MustParsePrefix("2002::/16"),
}

// Public reports whether addr is a public unicast address: not loopback,
// private, link-local (169.254.169.254 included), multicast, unspecified
// or one of the special ranges above. An IPv4-mapped IPv6 address is
// judged as its IPv4 address.
func Public(addr netip.Addr) bool {
	addr = addr.Unmap()
	if !addr.IsValid() || !addr.IsGlobalUnicast() || addr.IsPrivate() || addr.IsLoopback() ||
		addr.IsLinkLocalUnicast() || addr.IsInterfaceLocalMulticast() {
		return false
	}
	for _, p := range blocked {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}

// control refuses a connection to an address that is not public. It runs
// after name resolution, on the address actually dialled, so a name that
// resolves to a private address is refused too.
func control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("netguard: %s: %w", address, err)
	}
	if !Public(ap.Addr()) {
		return fmt.Errorf("netguard: %s is not a public address", ap.Addr())
	}
	return nil
}

// Client returns an HTTP client whose connections reach public addresses
// only, with timeout bounding each request. It uses no proxy: a proxy
// would dial on its behalf, out of reach of the check.
func Client(timeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, Control: control}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{Timeout: timeout, Transport: tr}
}
