package crawl

import (
	"context"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// A gate enforces politeness for one host: at most n requests in flight,
// and each request sent at least delay after the previous one was sent.
// Pauses (Retry-After, anti-bot backoff) push the next start further out.
type gate struct {
	slots chan struct{}
	// turn is held from the moment a request may start until it has been
	// written, so that a request stalled on its way out (a slow dial, a
	// busy machine) cannot end up on the wire right next to the one after
	// it.
	turn chan struct{}

	mu     sync.Mutex
	delay  time.Duration
	next   time.Time // earliest start of the next request
	blocks int       // anti-bot answers so far

	// Connect-level failures (see maxConnectFailures): in a row, in all,
	// the reason of the last one, whether a connection was ever made, and
	// the error that gave the host up.
	connFails, connTries int
	connWhy              string
	connected            bool
	unreachable          *unreachableError
}

func newGate(parallel int, delay time.Duration) *gate {
	return &gate{slots: make(chan struct{}, max(parallel, 1)), turn: make(chan struct{}, 1), delay: delay}
}

// acquire waits for a free slot and the host's next start time. The caller
// must call sent once the request has been written (or has failed), and
// release once the answer has been read.
func (g *gate) acquire(ctx context.Context) (sent, release func(), err error) {
	select {
	case g.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	release = func() { <-g.slots }
	select {
	case g.turn <- struct{}{}:
	case <-ctx.Done():
		release()
		return nil, nil, ctx.Err()
	}
	var delay time.Duration
	for {
		g.mu.Lock()
		wait := time.Until(g.next)
		delay = g.delay
		g.mu.Unlock()
		if wait <= 0 {
			break
		}
		if err := sleep(ctx, wait); err != nil {
			<-g.turn
			release()
			return nil, nil, err
		}
	}
	var once sync.Once
	sent = func() {
		once.Do(func() {
			g.mu.Lock()
			if t := time.Now().Add(g.delay); t.After(g.next) {
				g.next = t
			}
			g.mu.Unlock()
			<-g.turn
		})
	}
	if delay == 0 {
		sent() // nothing to space out: let the next request go at once
	}
	return sent, release, nil
}

// raiseDelay sets the delay to at least d (robots.txt Crawl-delay).
func (g *gate) raiseDelay(d time.Duration) {
	g.mu.Lock()
	g.delay = max(g.delay, d)
	g.mu.Unlock()
}

// pause keeps every request to the host from starting before now+d.
func (g *gate) pause(d time.Duration) {
	g.mu.Lock()
	if t := time.Now().Add(d); t.After(g.next) {
		g.next = t
	}
	g.mu.Unlock()
}

// blocked records an anti-bot answer: the host is paused for base doubled
// per earlier block, and given up once limit blocks were seen.
func (g *gate) blocked(base time.Duration, limit int) (giveUp bool) {
	g.mu.Lock()
	g.blocks++
	n := g.blocks
	g.mu.Unlock()
	g.pause(base << min(n-1, 10))
	return n >= limit
}

func (g *gate) givenUp(limit int) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.blocks >= limit
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// What the fetcher keeps per host — its gate and its robots.txt — is kept
// while a site being crawled uses the host, and for a while after: the
// last maxRetiredHosts hosts no running site uses are kept, the older ones
// forgotten, so that a run over thousands of hosts holds those of the
// sites it crawls and not all it has crawled. A host forgotten and used
// again (by a later site of the registry on the same host) gets a new
// gate and has its robots.txt read again; whether it was given up is
// forgotten with it, and its first connect failures find out again.
//
// maxRetiredHosts: sites of one host (a portal and a department's column)
// are mostly listed together, so the next sites to start find their hosts
// here; and a retired gate's next start lies at most a Crawl-delay or a
// backoff ahead, which the time it takes a thousand hosts to retire after
// it has long covered. A thousand entries of a few kilobytes.
const maxRetiredHosts = 256

// A hostEntry is what the fetcher keeps of one host.
type hostEntry struct {
	gate   *gate
	robots *robotsEntry // nil until robots.txt is asked for
	users  int          // sites being crawled that use the host
	gen    int          // times retired, to tell a stale place in the retired queue
}

// A lease is the hosts one site's crawl has used, for the fetcher to
// retire them when the crawl ends. It is read and written with the
// fetcher's lock held.
type lease struct{ hosts map[string]struct{} }

func newLease() *lease { return &lease{hosts: map[string]struct{}{}} }

// A retiredHost is a place in the fetcher's queue of retired hosts.
type retiredHost struct {
	host string
	gen  int
}

// hostEntry returns the entry of host (lower case, with its port if any),
// made with pol's politeness settings if there is none, and counts pol's
// site as one of its users. It is called with f.mu held.
func (f *fetcher) hostEntry(pol *policy, host string) *hostEntry {
	e := f.hosts[host]
	if e == nil {
		e = &hostEntry{gate: newGate(pol.parallel, pol.delay)}
		f.hosts[host] = e
	}
	if pol.lease != nil {
		if _, ok := pol.lease.hosts[host]; !ok {
			pol.lease.hosts[host] = struct{}{}
			e.users++
		}
	}
	return e
}

// release ends pol's site's use of the hosts it used: those no other
// running site uses are retired, and the oldest retired ones beyond
// maxRetiredHosts forgotten.
func (f *fetcher) release(pol *policy) {
	if pol.lease == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var idle []string // host names whose connections are left idle
	for host := range pol.lease.hosts {
		e := f.hosts[host]
		if e == nil {
			continue
		}
		if e.users--; e.users > 0 {
			continue
		}
		e.gen++
		f.retired = append(f.retired, retiredHost{host, e.gen})
		idle = append(idle, (&url.URL{Host: host}).Hostname())
	}
	clear(pol.lease.hosts)
	// Under another port, a host name may still be in use.
	for e, h := range f.hosts {
		if h.users > 0 {
			name := (&url.URL{Host: e}).Hostname()
			idle = slices.DeleteFunc(idle, func(n string) bool { return n == name })
		}
	}
	defer f.closeConns(idle)
	for len(f.retired) > maxRetiredHosts {
		r := f.retired[0]
		f.retired[0] = retiredHost{}
		f.retired = f.retired[1:]
		if e := f.hosts[r.host]; e != nil && e.users == 0 && e.gen == r.gen {
			delete(f.hosts, r.host)
		}
	}
}

// A trackedConn is a connection of the built-in transport, known to the
// fetcher by its host name until it is closed.
type trackedConn struct {
	net.Conn
	f    *fetcher
	host string
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.f.connMu.Lock()
		delete(c.f.conns[c.host], c)
		if len(c.f.conns[c.host]) == 0 {
			delete(c.f.conns, c.host)
		}
		c.f.connMu.Unlock()
	})
	return c.Conn.Close()
}

// tracked wraps dial so that the fetcher knows the connections it makes.
func (f *fetcher) tracked(dial func(ctx context.Context, network, addr string) (net.Conn, error)) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			host = addr
		}
		tc := &trackedConn{Conn: c, f: f, host: strings.ToLower(host)}
		f.connMu.Lock()
		if f.conns[tc.host] == nil {
			f.conns[tc.host] = map[*trackedConn]struct{}{}
		}
		f.conns[tc.host][tc] = struct{}{}
		f.connMu.Unlock()
		return tc, nil
	}
}

// closeConns closes the connections to the given host names, which no
// running site uses: they are idle, and no request is to come for them
// that a new connection could not carry.
func (f *fetcher) closeConns(hosts []string) {
	var cs []*trackedConn
	f.connMu.Lock()
	for _, h := range hosts {
		for c := range f.conns[strings.ToLower(h)] {
			cs = append(cs, c)
		}
	}
	f.connMu.Unlock()
	for _, c := range cs {
		c.Close()
	}
}
