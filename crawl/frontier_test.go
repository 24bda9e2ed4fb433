package crawl

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// TestFrontierOrder checks the frontier against the queue it replaces,
// held all in memory: documents newest first, then lists in order, with
// pushes and pops mixed; that at most frontierWindow tasks of each queue
// are in memory whatever the number queued; and that a frontier taken up
// from the table after a kill goes on in the same order.
func TestFrontierOrder(t *testing.T) {
	ctx := context.Background()
	st, err := openState(ctx, filepath.Join(t.TempDir(), "state.db"), true, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fr := newFrontier(st, "s")
	var docs, lists []task // the model: a stack and a queue
	rng := rand.New(rand.NewPCG(1, 2))
	n := 0
	pop := func() {
		t.Helper()
		var want task
		switch {
		case len(docs) > 0:
			want, docs = docs[len(docs)-1], docs[:len(docs)-1]
		case len(lists) > 0:
			want, lists = lists[0], lists[1:]
		}
		got, ok, err := fr.pop(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ok != (want.url != "") || got.url != want.url || got.kind != want.kind || got.depth != want.depth || got.hint != want.hint ||
			(got.from == nil) != (want.from == nil) || got.from != nil && *got.from != *want.from {
			t.Fatalf("pop %d: got %+v (ok %v), want %+v", n, got, ok, want)
		}
		if ok {
			if err := fr.done(ctx, got); err != nil {
				t.Fatal(err)
			}
		}
	}
	for step := range 6000 {
		if step == 3000 {
			// A kill: the next run takes the frontier up from the table.
			fr = newFrontier(st, "s")
			r, err := fr.restore(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if r.admitted != n || r.done != n-len(docs)-len(lists) {
				t.Fatalf("restored %+v; want %d admitted, %d done", r, n, n-len(docs)-len(lists))
			}
		}
		if rng.IntN(5) < 3 { // more pushes than pops: the queue grows
			n++
			tk := task{url: fmt.Sprintf("http://h/%d", n), kind: kindList, depth: n % 4, hint: fmt.Sprint("链接", n)}
			switch rng.IntN(3) {
			case 0:
				tk.kind = kindPage
			case 1:
				tk.kind = kindAttachment
				tk.from = &pageMeta{url: "http://h/p", title: "年报", date: "2024-03-01", year: 2023}
			}
			if err := fr.push(ctx, tk, ""); err != nil {
				t.Fatal(err)
			}
			if tk.kind == kindList {
				lists = append(lists, tk)
			} else {
				docs = append(docs, tk)
			}
		} else {
			pop()
		}
		if fr.queued() != len(docs)+len(lists) {
			t.Fatalf("step %d: %d queued, want %d", step, fr.queued(), len(docs)+len(lists))
		}
		if len(fr.docs) > frontierWindow || len(fr.lists) > frontierWindow {
			t.Fatalf("step %d: %d documents and %d lists in memory, over the window of %d", step, len(fr.docs), len(fr.lists), frontierWindow)
		}
	}
	if len(docs)+len(lists) < 10*frontierWindow {
		t.Fatalf("only %d queued at the end: the test does not exercise the table", len(docs)+len(lists))
	}
	for len(docs)+len(lists) > 0 {
		pop()
	}
	pop() // and then none
}

// TestCrawlTakesUpFrontier checks that a crawl killed after reading its
// list page takes the list's URLs up from the frontier in the state
// database: the list page is not requested again, nor read again from the
// archive (which this test empties), and every report is fetched once.
func TestCrawlTakesUpFrontier(t *testing.T) {
	f := newFixture(t)
	const pdfs = 10
	capSite(f, pdfs, 1000)
	dir := t.TempDir()
	cfg := testConfig(t, dir, f.site("up", "/nb/"))
	cfg.Parallel = 1

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var n atomic.Int32
	f.mu.Lock()
	pdf := f.routes["/f/*"]
	f.routes["/f/*"] = func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 4 {
			cancel()
			return
		}
		pdf(w, r)
	}
	f.mu.Unlock()
	if _, err := Run(ctx, cfg); !errors.Is(err, context.Canceled) {
		t.Fatalf("killed run: err = %v", err)
	}
	if got := frontierRows(t, dir); got != 1+pdfs {
		t.Fatalf("%d frontier rows after the kill, want %d", got, 1+pdfs)
	}
	// Bodies may be pruned from the archive: the frontier does not need them.
	if err := os.RemoveAll(filepath.Join(dir, "raw")); err != nil {
		t.Fatal(err)
	}
	f.resetCounts()
	sum := mustRun(t, cfg)
	if h := f.hitsOf("/nb/"); h != 0 {
		t.Errorf("list page requested %d times by the resumed run, want 0", h)
	}
	if h := f.hitsUnder("/f/"); h != pdfs-3 {
		t.Errorf("resumed run requested %d attachments, want the %d not done", h, pdfs-3)
	}
	if sum.Resumed != 4 || sum.New != pdfs-3 || sum.SitesReachable != 1 {
		t.Errorf("resumed run: %+v; want 4 resumed (the list and 3 attachments), %d new, the site reachable", sum, pdfs-3)
	}
	if d := mustDocuments(t, dir); len(d) != pdfs {
		t.Errorf("%d documents after the resumed run, want %d", len(d), pdfs)
	}
	if got := frontierRows(t, dir); got != 0 {
		t.Errorf("%d frontier rows once the site is done, want none", got)
	}
}

func frontierRows(t *testing.T, dir string) int {
	t.Helper()
	st, err := openState(context.Background(), StatePath(dir), false, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var n int
	if err := st.db.QueryRow(`SELECT count(*) FROM frontier`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestHostsRetired checks that the fetcher keeps the hosts of the sites
// being crawled and the last maxRetiredHosts others, whatever the number
// of hosts a run goes through.
func TestHostsRetired(t *testing.T) {
	cfg := Config{}.withDefaults()
	f := newFetcher(&cfg, nil)
	pol := func() *policy { return &policy{parallel: 1, delay: time.Second, lease: newLease()} }
	host := func(i int) *url.URL { return &url.URL{Scheme: "http", Host: fmt.Sprintf("h%d.gov.test", i)} }

	// Two sites share host 0; one ends while the other goes on.
	a, b := pol(), pol()
	g := f.hostGate(a, host(0))
	if f.hostGate(b, host(0)) != g {
		t.Fatal("two sites of one host got two gates")
	}
	f.release(a)
	for i := 1; i <= 3*maxRetiredHosts; i++ {
		p := pol()
		f.hostGate(p, host(i))
		f.release(p)
		if len(f.hosts) > maxRetiredHosts+1 {
			t.Fatalf("%d hosts kept after %d sites, want at most %d", len(f.hosts), i, maxRetiredHosts+1)
		}
	}
	if f.hostGate(b, host(0)) != g {
		t.Error("a host in use was forgotten")
	}
	// Retired but recent: a site starting on it gets its gate back.
	c := pol()
	last := f.hostGate(c, host(3*maxRetiredHosts))
	if f.hostGate(pol(), host(3*maxRetiredHosts)) != last {
		t.Error("a host retired last was forgotten")
	}
	f.release(b)
	f.release(c)
	for i := range maxRetiredHosts {
		p := pol()
		f.hostGate(p, host(10*maxRetiredHosts+i))
		f.release(p)
	}
	if _, ok := f.hosts["h0.gov.test"]; ok {
		t.Errorf("host 0 kept after %d hosts retired since", maxRetiredHosts)
	}
	if len(f.hosts) > maxRetiredHosts+1 { // +1: the host of the policy never released
		t.Errorf("%d hosts kept, want at most %d", len(f.hosts), maxRetiredHosts+1)
	}
}

// TestRetiredHostConnsClosed checks that the connection of a host no
// running site uses is closed when its site's crawl ends, and that of a
// host still in use is not.
func TestRetiredHostConnsClosed(t *testing.T) {
	var open atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<html><title>ok</title></html>")
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			open.Add(1)
		case http.StateClosed, http.StateHijacked:
			open.Add(-1)
		}
	}
	srv.Start()
	defer srv.Close()
	addr := srv.Listener.Addr().String()
	cfg := testConfig(t, t.TempDir())
	cfg.dial = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	cfg = cfg.withDefaults()
	arch, err := openArchive(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f := newFetcher(&cfg, arch)
	get := func(pol *policy, u string) {
		t.Helper()
		resp, err := f.fetch(context.Background(), pol, u, validators{})
		if err != nil || resp.status != 200 {
			t.Fatalf("%s: %v", u, err)
		}
		resp.discard()
	}
	a := newPolicy(&cfg, &Site{Name: "a", Hosts: []string{"a.gov.test"}}, cfg.Logger)
	b := newPolicy(&cfg, &Site{Name: "b", Hosts: []string{"b.gov.test"}}, cfg.Logger)
	get(&a, "http://a.gov.test/")
	get(&b, "http://b.gov.test/")
	waitConns := func(want int32) {
		t.Helper()
		for range 200 {
			if open.Load() == want {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatalf("%d connections open, want %d", open.Load(), want)
	}
	waitConns(2)
	f.release(&a)
	waitConns(1) // b's is still open, for its next request
	get(&b, "http://b.gov.test/x")
	waitConns(1) // and was reused
	f.release(&b)
	waitConns(0)
}
