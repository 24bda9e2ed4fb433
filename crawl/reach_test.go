package crawl

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// A deadNet is a transport for tests: hosts ending in ".dead" are dialed
// at 127.0.0.1:1, where nothing listens (connection refused), hosts ending
// in ".nxdomain" fail as DNS "no such host" would, and every other address
// is dialed as is. It counts the dials per address asked for.
type deadNet struct {
	mu    sync.Mutex
	dials map[string]int
	down  map[string]bool // addresses made unreachable during the run
}

func newDeadNet() *deadNet { return &deadNet{dials: map[string]int{}, down: map[string]bool{}} }

func (d *deadNet) transport() *http.Transport {
	return &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			d.mu.Lock()
			d.dials[addr]++
			down := d.down[addr]
			d.mu.Unlock()
			host, _, _ := net.SplitHostPort(addr)
			switch {
			case strings.HasSuffix(host, ".nxdomain"):
				return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}}
			case strings.HasSuffix(host, ".dead") || down:
				addr = "127.0.0.1:1"
			}
			var dialer net.Dialer
			return dialer.DialContext(ctx, network, addr)
		},
		// Every request dials, so that dials count requests.
		DisableKeepAlives: true,
	}
}

func (d *deadNet) dialsTo(addr string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.dials[addr]
}

func (d *deadNet) takeDown(addr string) {
	d.mu.Lock()
	d.down[addr] = true
	d.mu.Unlock()
}

func deadSite(name, host string, paths ...string) Site {
	s := Site{Name: name, Agency: name + "人民政府", Hosts: []string{host}}
	for _, p := range paths {
		s.Start = append(s.Start, "http://"+host+p)
	}
	return s
}

// TestCrawlUnreachableSites crawls a registry of four dead sites and a
// live one: each dead host gets at most maxConnectFailures connection
// attempts (one for DNS "no such host"), although retries would allow
// more, its start URLs are recorded with the reason, the log says in one
// line what happened, and the live site is crawled in full.
func TestCrawlUnreachableSites(t *testing.T) {
	live := newFixture(t)
	trsSite(live)
	dn := newDeadNet()
	sites := []Site{
		deadSite("dead1", "a.dead", "/nb/", "/nb/2/"),
		deadSite("dead2", "b.dead", "/nb/"),
		deadSite("dead3", "c.dead", "/nb/"),
		deadSite("nx", "x.nxdomain", "/nb/"),
		live.site("live", "/zwgk/nb/"),
	}
	log, logs := logBuffer(t)
	dir := t.TempDir()
	cfg := testConfig(t, dir, sites...)
	cfg.Transport = dn.transport()
	cfg.MaxRetries = 10 // the connect-failure bound, not the retries, must stop the dead hosts
	cfg.Logger = log
	sum := mustRun(t, cfg)

	for host, want := range map[string]int{"a.dead:80": maxConnectFailures, "b.dead:80": maxConnectFailures,
		"c.dead:80": maxConnectFailures, "x.nxdomain:80": 1} {
		if n := dn.dialsTo(host); n != want {
			t.Errorf("%s: %d connection attempts, want %d", host, n, want)
		}
	}
	if sum.Reports != 4 || sum.Attachments != 2 || sum.New != 6 {
		t.Errorf("live site not crawled in full: %+v", sum)
	}
	if sum.Sites != 5 || sum.SitesReachable != 1 || sum.SitesUnreachable != 4 || sum.HostsGivenUp != 4 || sum.AllUnreachable() {
		t.Errorf("summary = %+v; want 5 sites, 1 reachable, 4 unreachable, 4 hosts given up", sum)
	}
	// Requests: the dead hosts' connection attempts, and what the live
	// site saw.
	liveHits := 0
	live.mu.Lock()
	for _, n := range live.hits {
		liveHits += n
	}
	live.mu.Unlock()
	if want := 3*maxConnectFailures + 1 + liveHits; sum.Requests != want {
		t.Errorf("%d requests, want %d: %d connection attempts to dead hosts and %d to the live one", sum.Requests, want, 3*maxConnectFailures+1, liveHits)
	}

	docs := mustDocuments(t, dir)
	for _, tc := range []struct{ url, err string }{
		{"http://a.dead/nb/", "host given up: 3 connect failures: dial tcp 127.0.0.1:1: connect: connection refused"},
		{"http://a.dead/nb/2/", "host given up: 3 connect failures: dial tcp 127.0.0.1:1: connect: connection refused"},
		{"http://b.dead/nb/", "connection refused"},
		{"http://c.dead/nb/", "connection refused"},
		{"http://x.nxdomain/nb/", "host given up: 1 connect failure: dial tcp: lookup x.nxdomain: no such host"},
	} {
		d := docs[tc.url]
		if len(d) != 1 || d[0].Kind != kindStart || d[0].Status != StatusFailed || !strings.Contains(d[0].Error, tc.err) ||
			d[0].SHA256 != "" || d[0].Revision != 0 || d[0].Site == "" || d[0].Agency == "" {
			t.Errorf("%s: %+v; want a failed start record with error containing %q", tc.url, d, tc.err)
		}
	}
	if n := len(docs); n != 6+5 {
		t.Errorf("%d document URLs, want the live site's 6 and 5 start URLs", n)
	}
	for _, want := range []string{
		"site dead1 unreachable: connection refused (3 tries); check the network or the site's URL",
		"site nx unreachable: no such host (1 try); check the network or the site's URL",
		"giving up host b.dead for this run: connection refused (3 tries)",
	} {
		if !strings.Contains(logs(), want) {
			t.Errorf("log lacks %q", want)
		}
	}
	if strings.Contains(logs(), "site live") {
		t.Errorf("log reports a problem with the live site:\n%s", logs())
	}

	// A second run over the same directory: the live site answers 304s,
	// the dead sites are recorded again, the live site's start URL is not
	// a start record.
	dn2 := newDeadNet()
	cfg.Transport = dn2.transport()
	sum = mustRun(t, cfg)
	if sum.Unchanged != 6 || sum.SitesUnreachable != 4 || dn2.dialsTo("a.dead:80") != maxConnectFailures {
		t.Errorf("second run: %+v, %d dials to a.dead", sum, dn2.dialsTo("a.dead:80"))
	}
	if d := mustDocuments(t, dir)[live.url("/zwgk/nb/")]; d != nil {
		t.Errorf("live start URL recorded as a document: %+v", d)
	}
}

// TestCrawlAllUnreachable checks that a run that reaches none of its sites
// says so, without failing: the command decides what to make of it.
func TestCrawlAllUnreachable(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(t, dir,
		Site{Name: "down", Agency: "某县人民政府", Start: []string{"http://127.0.0.1:1/nb/"}, Hosts: []string{"127.0.0.1:1"}},
		deadSite("dead", "a.dead", "/nb/"))
	cfg.Transport = newDeadNet().transport()
	sum := mustRun(t, cfg)
	if !sum.AllUnreachable() || sum.SitesUnreachable != 2 || sum.SitesReachable != 0 || sum.HostsGivenUp != 2 {
		t.Errorf("summary = %+v; want both sites unreachable", sum)
	}
	if want := 2 * maxConnectFailures; sum.Requests > want {
		t.Errorf("%d requests to two dead hosts, want at most %d", sum.Requests, want)
	}
	if d := mustDocuments(t, dir)["http://127.0.0.1:1/nb/"]; len(d) != 1 || d[0].Kind != kindStart || !strings.Contains(d[0].Error, "connection refused") {
		t.Errorf("start URL of the dead site: %+v", d)
	}
	if (Summary{}).AllUnreachable() {
		t.Error("a run of no sites reports every site unreachable")
	}
}

// TestCrawlHostDiesMidway checks that a host that stops accepting
// connections in the middle of a crawl is given up: its queued URLs are
// recorded as failed with the reason, without a request each.
func TestCrawlHostDiesMidway(t *testing.T) {
	f := newFixture(t)
	dn := newDeadNet()
	var links [][2]string
	for i := range 6 {
		p := fmt.Sprintf("/nb/r%d.htm", i)
		f.html(p, reportPage(fmt.Sprintf("%d年政府信息公开工作年度报告", 2015+i), "2024-01-01", reportTable))
		links = append(links, [2]string{p, fmt.Sprintf("%d年政府信息公开工作年度报告", 2015+i)})
	}
	list := listPage("政府信息公开年报", links, "")
	f.handle("/nb/", func(w http.ResponseWriter, r *http.Request) {
		dn.takeDown(f.host()) // the server goes away after this answer
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, list)
	})
	dir := t.TempDir()
	cfg := testConfig(t, dir, f.site("dies", "/nb/"))
	cfg.Transport = dn.transport()
	cfg.Parallel = 1
	cfg.MaxRetries = 10
	sum := mustRun(t, cfg)
	// robots.txt, the list page, then the failed attempts.
	if n := dn.dialsTo(f.host()); n != 2+maxConnectFailures {
		t.Errorf("%d dials, want %d", n, 2+maxConnectFailures)
	}
	if sum.Failed != 6 || sum.HostsGivenUp != 1 || sum.SitesReachable != 1 || sum.SitesUnreachable != 0 {
		t.Errorf("summary = %+v; want 6 failed, 1 host given up, the site reachable", sum)
	}
	docs := mustDocuments(t, dir)
	for _, l := range links {
		d := docs[f.url(l[0])]
		if len(d) != 1 || d[0].Kind != kindReport || d[0].Status != StatusFailed || !strings.HasPrefix(d[0].Error, "host given up: 3 connect failures: ") {
			t.Errorf("%s: %+v", l[0], d)
		}
	}
	if d := docs[f.url("/nb/")]; d != nil {
		t.Errorf("start URL fetched, yet recorded: %+v", d)
	}
}

// TestConnectFailure classifies attempt errors: only failures to connect
// count, never an answer or a timeout once connected.
func TestConnectFailure(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	timeout := &net.OpError{Op: "dial", Net: "tcp", Err: timeoutErr{}}
	connected := func() *connTrace { ct := new(connTrace); ct.dialing.Store(true); ct.got.Store(true); return ct }
	dialing := func() *connTrace { ct := new(connTrace); ct.dialing.Store(true); return ct }
	handshaking := func() *connTrace { ct := dialing(); ct.tls.Store(true); return ct }
	for _, tc := range []struct {
		name      string
		err       error
		ct        *connTrace
		why       string
		immediate bool
	}{
		{"refused", refused, dialing(), "connection refused", false},
		{"no such host", &net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", IsNotFound: true}}, dialing(), "no such host", true},
		{"dns timeout", &net.OpError{Op: "dial", Err: &net.DNSError{Err: "i/o timeout", IsTimeout: true}}, dialing(), "DNS lookup failed", false},
		{"unreachable", &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ENETUNREACH)}, dialing(), "network unreachable", false},
		{"connect timeout", timeout, dialing(), "connect timeout", false},
		{"attempt timeout while dialing", context.DeadlineExceeded, dialing(), "connect timeout", false},
		{"tls", errors.New("remote error: tls: handshake failure"), handshaking(), "TLS handshake failed", false},
		{"tls timeout", timeoutErr{}, handshaking(), "TLS handshake timeout", false},
		{"answer timeout", context.DeadlineExceeded, connected(), "", false},
		{"reset once connected", os.NewSyscallError("read", syscall.ECONNRESET), connected(), "", false},
		{"other error, no dial", errors.New("boom"), new(connTrace), "", false},
	} {
		why, immediate := connectFailure(tc.err, tc.ct)
		if why != tc.why || immediate != tc.immediate {
			t.Errorf("%s: connectFailure = %q, %v; want %q, %v", tc.name, why, immediate, tc.why, tc.immediate)
		}
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string { return "i/o timeout" }
func (timeoutErr) Timeout() bool { return true }

// TestCrawlLock checks that a second crawl of a directory fails at once,
// naming the first, and that the directory is free again once the first
// has ended.
func TestCrawlLock(t *testing.T) {
	f := newFixture(t)
	reportsList(f, [2]string{"/nb/r.htm", "2023年政府信息公开工作年度报告"})
	f.html("/nb/r.htm", reportPage("2023年政府信息公开工作年度报告", "2024-01-01", reportTable))
	inside, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	f.handle("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(inside); <-release })
		http.NotFound(w, r)
	})
	dir := t.TempDir()
	cfg := testConfig(t, dir, f.site("lock", "/nb/"))
	var first Summary
	var firstErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		first, firstErr = Run(context.Background(), cfg)
	}()
	<-inside // the first run holds the lock, and waits for its first answer

	_, err := Run(context.Background(), cfg)
	close(release)
	want := fmt.Sprintf("crawl directory %s is being used by pid %d since ", dir, os.Getpid())
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), want) {
		t.Errorf("second Run: err = %v; want ErrLocked with %q", err, want)
	}
	if errors.Is(err, ErrDiskFull) || strings.Contains(fmt.Sprint(err), "another crawl") {
		t.Errorf("second Run waited for the state database: %v", err)
	}
	<-done
	if firstErr != nil || first.New != 1 {
		t.Errorf("first Run: %+v, %v", first, firstErr)
	}
	if n := f.hitsOf("/nb/"); n != 1 {
		t.Errorf("list page requested %d times, want once (by the first run)", n)
	}
	b, err := os.ReadFile(filepath.Join(dir, LockFile))
	if err != nil || !strings.HasPrefix(string(b), fmt.Sprintf("pid %d since ", os.Getpid())) {
		t.Errorf("lock file: %q, %v", b, err)
	}
	// The first run has ended: the directory is free.
	if sum := mustRun(t, cfg); sum.Unchanged != 1 {
		t.Errorf("run after the first ended: %+v", sum)
	}
}
