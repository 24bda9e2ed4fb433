package crawl

import (
	"context"
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
