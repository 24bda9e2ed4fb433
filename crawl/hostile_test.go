package crawl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"unicode/utf8"
)

// Hostile and broken servers (issue 8): none may crash a run, make it
// unbounded, or put bytes into the dataset that its readers refuse.

// logBuffer returns a logger writing warnings and errors to a buffer the
// test reads, and to the test's output.
func logBuffer(t *testing.T) (*slog.Logger, func() string) {
	var mu sync.Mutex
	var b bytes.Buffer
	w := writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		t.Output().Write(p)
		return b.Write(p)
	})
	log := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return log, func() string { mu.Lock(); defer mu.Unlock(); return b.String() }
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// TestCrawlRobotsOversize checks robots.txt files over maxRobotsSize: the
// first part is obeyed, never dropped for allow-all.
func TestCrawlRobotsOversize(t *testing.T) {
	const size = 9 << 20
	pad := func(head string) []byte {
		b := []byte(head)
		for len(b) < size {
			b = append(b, "# a robots.txt padded far beyond any real one\n"...)
		}
		return b
	}
	report := reportPage("2023年政府信息公开工作年度报告", "2024-01-01", reportTable)
	serve := func(robots []byte) *fixture {
		f := newFixture(t)
		f.file("/robots.txt", "text/plain", robots)
		reportsList(f, [2]string{"/nb/r.htm", "2023年政府信息公开工作年度报告"})
		f.html("/nb/r.htm", report)
		return f
	}
	// Disallow: / in the first line of a 9 MiB file.
	denied := serve(pad("User-agent: *\nDisallow: /\n"))
	// A Disallow past the cap is not read: the host is crawled.
	late := serve(append(pad("User-agent: *\nAllow: /\n"), "User-agent: *\nDisallow: /\n"...))
	// 9 MiB without a line break is no robots.txt: the host is left alone.
	oneLine := serve(bytes.Repeat([]byte("x"), size))
	// A well-behaved site in the same run completes.
	fine := newFixture(t)
	reportsList(fine, [2]string{"/nb/r.htm", "2023年政府信息公开工作年度报告"})
	fine.html("/nb/r.htm", report)

	log, logs := logBuffer(t)
	dir := t.TempDir()
	cfg := testConfig(t, dir, denied.site("denied", "/nb/"), late.site("late", "/nb/"), oneLine.site("oneline", "/nb/"), fine.site("fine", "/nb/"))
	cfg.Logger = log
	sum := mustRun(t, cfg)

	if n := denied.hitsOf("/nb/"); n != 0 {
		t.Errorf("crawled a host whose oversize robots.txt starts with Disallow: / (%d requests)", n)
	}
	if n := oneLine.hitsOf("/nb/"); n != 0 {
		t.Errorf("crawled a host whose robots.txt is 9 MiB without a line (%d requests)", n)
	}
	if n := late.hitsOf("/nb/r.htm"); n != 1 {
		t.Errorf("host with Disallow past the cap: report requested %d times, want 1", n)
	}
	// denied: the start URL is disallowed; oneline: it fails, robots.txt
	// being unavailable; late and fine: one new report each.
	if sum.Disallowed != 1 || sum.Failed != 1 || sum.New != 2 {
		t.Errorf("summary = %+v; want 1 disallowed, 1 failed, 2 new", sum)
	}
	// Each oversize robots.txt is read up to the cap, not to its end.
	if limit := int64(3*(maxRobotsSize+1) + 1<<20); sum.Bytes > limit {
		t.Errorf("received %d bytes; three robots.txt read to the cap and two small sites come to at most %d", sum.Bytes, limit)
	}
	docs := mustDocuments(t, dir)
	// The start URLs that could not be fetched are recorded as such, with
	// the reason, and not as reports.
	if d := docs[oneLine.url("/nb/")]; len(d) != 1 || d[0].Kind != kindStart || d[0].Status != StatusFailed ||
		!strings.Contains(d[0].Error, "robots.txt unavailable") || d[0].SHA256 != "" {
		t.Errorf("start URL of the host without a usable robots.txt: %+v", d)
	}
	if d := docs[denied.url("/nb/")]; len(d) != 1 || d[0].Kind != kindStart || d[0].Error != "disallowed by robots.txt" {
		t.Errorf("start URL disallowed by robots.txt: %+v", d)
	}
	if sum.SitesReachable != 2 || sum.SitesUnreachable != 2 || sum.HostsGivenUp != 0 {
		t.Errorf("summary = %+v; want 2 sites reachable, 2 unreachable, no host given up", sum)
	}
	if d := docs[fine.url("/nb/r.htm")]; len(d) != 1 || d[0].Status != StatusNew {
		t.Errorf("well-behaved site's report: %+v", d)
	}
	for _, want := range []string{"robots.txt over the size cap: obeying its first part", "without a line break"} {
		if !strings.Contains(logs(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs())
		}
	}
}

// capSite serves a list page at /nb/ with n links to distinct PDFs of
// pdfSize bytes each, and returns the list page's size.
func capSite(f *fixture, n, pdfSize int) int {
	links := make([][2]string, n)
	for i := range links {
		links[i] = [2]string{fmt.Sprintf("/f/%d.pdf", i), fmt.Sprintf("2023年政府信息公开工作年度报告（%d）", i)}
	}
	list := listPage("政府信息公开年报", links, "")
	f.html("/nb/", list)
	f.handle("/f/*", func(w http.ResponseWriter, r *http.Request) {
		body := []byte("%PDF-1.4 " + r.URL.Path + " ")
		body = append(body, bytes.Repeat([]byte("x"), pdfSize-len(body))...)
		w.Header().Set("Content-Type", "application/pdf")
		w.Write(body)
	})
	return len(list)
}

func (f *fixture) hitsUnder(prefix string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for k, h := range f.hits {
		if strings.HasPrefix(k, prefix) {
			n += h
		}
	}
	return n
}

// TestCrawlDocumentCaps checks the caps on what one run fetches: a list
// page of 3,000 attachments stops at each cap, which the summary names
// and the log reports.
func TestCrawlDocumentCaps(t *testing.T) {
	const links, pdfSize, robots404 = 3000, 1000, len("404 page not found\n")
	for _, tc := range []struct {
		name string
		set  func(cfg *Config, list int)
		pdfs int // of the first site
		over func(Summary) int
		warn string
	}{
		{"pages", func(cfg *Config, _ int) { cfg.MaxPages = 20 }, 19, // and the list page
			func(s Summary) int { return s.OverPages }, "page cap reached"},
		{"docs", func(cfg *Config, _ int) { cfg.MaxDocs = 10 }, 10,
			func(s Summary) int { return s.OverDocs }, "document cap reached"},
		{"bytes", func(cfg *Config, list int) { cfg.MaxBytes = int64(robots404 + list + 10*pdfSize) }, 10,
			func(s Summary) int { return s.OverBytes }, "byte cap reached"},
		{"disk", func(cfg *Config, list int) { cfg.DiskBudget = int64(list + 10*pdfSize) }, 10,
			func(s Summary) int { return s.OverDisk }, "disk budget reached"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			list := capSite(f, links, pdfSize)
			// A second site, crawled after the first: the disk budget is
			// the run's, the other caps are per site.
			other := newFixture(t)
			capSite(other, 5, pdfSize)
			log, logs := logBuffer(t)
			dir := t.TempDir()
			cfg := testConfig(t, dir, f.site("big", "/nb/"), other.site("small", "/nb/"))
			cfg.Parallel, cfg.Sites = 1, 1 // no request in flight when a budget is reached
			cfg.Logger = log
			tc.set(&cfg, list)
			sum := mustRun(t, cfg)

			if n := f.hitsUnder("/f/"); n != tc.pdfs {
				t.Errorf("fetched %d attachments, want %d", n, tc.pdfs)
			}
			otherPDFs, overOther := 5, 0
			if tc.name == "disk" {
				otherPDFs, overOther = 0, 1 // its start URL
			}
			if got, want := tc.over(sum), links-tc.pdfs+overOther; got != want {
				t.Errorf("summary counts %d URLs over the cap, want %d: %+v", got, want, sum)
			}
			if sum.New != tc.pdfs+otherPDFs {
				t.Errorf("summary = %+v; want %d new documents", sum, tc.pdfs+otherPDFs)
			}
			if n := other.hitsUnder("/"); tc.name == "disk" && n != 0 {
				t.Errorf("the disk budget is the run's, but the second site got %d requests", n)
			}
			if n := other.hitsUnder("/f/"); tc.name != "disk" && n != 5 {
				t.Errorf("a per-site cap stopped the second site: %d of its 5 attachments fetched", n)
			}
			if n := strings.Count(logs(), tc.warn); n < 1 || n > 2 {
				t.Errorf("log says %q %d times, want once per site it stopped:\n%s", tc.warn, n, logs())
			}
			if docs, err := Documents(context.Background(), dir); err != nil || len(docs) != sum.New {
				t.Errorf("%d documents recorded (err %v), want %d", len(docs), err, sum.New)
			}
			if tc.name == "disk" && sum.Archived != cfg.DiskBudget {
				t.Errorf("archived %d bytes, want the budget %d", sum.Archived, cfg.DiskBudget)
			}
		})
	}
}

// TestCrawlPageLinkCap checks that one page cannot add more than
// maxPageLinks links, and that a pager script with a negative or huge
// page count neither crashes the run nor floods the frontier.
func TestCrawlPageLinkCap(t *testing.T) {
	f := newFixture(t)
	var b strings.Builder
	b.WriteString(`<html><head><meta charset="utf-8"><title>信息公开</title></head><body>`)
	for i := range maxPageLinks + 500 {
		fmt.Fprintf(&b, `<a href="/f/%d.pdf">附件</a>`, i) // attachments without a report title: not followed
	}
	b.WriteString(`<script>createPageHTML(1000000, 0, "index", "html");</script></body></html>`)
	f.html("/nb/", b.String())
	f.html("/neg/", listPage("信息公开", [][2]string{{"/neg/r.htm", "2023年政府信息公开工作年度报告"}},
		`<script>createPageHTML(-5, 0, "index", "html");</script>`))
	f.html("/neg/r.htm", reportPage("2023年政府信息公开工作年度报告", "2024-01-01", reportTable))
	log, logs := logBuffer(t)
	cfg := testConfig(t, t.TempDir(), f.site("links", "/nb/"), f.site("negative", "/neg/"))
	cfg.Logger = log
	sum := mustRun(t, cfg)
	// 500 anchors, and every page URL of the pager script (maxTRSPages).
	if want := 500 + maxTRSPages; sum.OverLinks != want {
		t.Errorf("summary = %+v; want %d links over the per-page cap", sum, want)
	}
	if n := f.hitsUnder("/nb/index"); n != 0 {
		t.Errorf("%d pager pages fetched past the link cap", n)
	}
	if sum.New != 1 || sum.Reports != 1 {
		t.Errorf("summary = %+v; want the report behind the negative page count", sum)
	}
	if !strings.Contains(logs(), "more links than the per-page cap") {
		t.Errorf("log lacks the link cap:\n%s", logs())
	}
}

func TestTRSPagesBounds(t *testing.T) {
	base := mustURL(t, "http://a.gov.cn/nb/")
	for _, tc := range []struct {
		args          string
		limit         int
		urls, skipped int
	}{
		{`3, 0, "index", "html"`, 100, 3, 0},
		{`-5, 0, "index", "html"`, 100, 0, 0},
		{`99999999, 0, "index", "html"`, 100, 100, maxTRSPages - 100},
		{`4, 0, "index", "html"`, 0, 0, 4},
		{`4, 0, "index", "html"`, -3, 0, 4},
		{`4, 0, "index"` + strings.Repeat(",", maxTRSArgs) + `"html"`, 100, 0, 0},
	} {
		urls, skipped := trsPages(base, tc.args, tc.limit)
		if len(urls) != tc.urls || skipped != tc.skipped {
			t.Errorf("trsPages(%s, limit %d) = %d URLs, %d skipped; want %d, %d", tc.args, tc.limit, len(urls), skipped, tc.urls, tc.skipped)
		}
	}
}

// fullFile is a temporary archive file on a disk that fills up: its
// writes fail with ENOSPC, as write(2) does.
type fullFile struct{ *os.File }

func (f fullFile) Write(p []byte) (int, error) {
	return 0, &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
}

// failWritesAfter makes every archive file after the first n fail to
// be written, until the test ends.
func failWritesAfter(t *testing.T, n int) {
	real := createTemp
	var mu sync.Mutex
	made := 0
	createTemp = func(dir string) (archiveFile, error) {
		f, err := real(dir)
		if err != nil {
			return nil, err
		}
		mu.Lock()
		defer mu.Unlock()
		if made++; made > n {
			return fullFile{f.(*os.File)}, nil
		}
		return f, nil
	}
	t.Cleanup(func() { createTemp = real })
}

// TestCrawlDiskFull checks that a full disk ends the run at once with an
// error that says so, records no document as failed because of it, and
// that the next run resumes.
func TestCrawlDiskFull(t *testing.T) {
	f := newFixture(t)
	const pdfs = 20
	capSite(f, pdfs, 1000)
	dir := t.TempDir()
	cfg := testConfig(t, dir, f.site("full", "/nb/"))
	cfg.Parallel = 1
	failWritesAfter(t, 2) // the list page and the first PDF
	sum, err := Run(context.Background(), cfg)
	if err == nil || !errors.Is(err, ErrDiskFull) || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Run on a full disk: err = %v; want ErrDiskFull wrapping ENOSPC", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "disk full: "+filepath.Join(dir, "raw")) || strings.Contains(msg, "another crawl") {
		t.Errorf("error %q should say the disk is full at %s", msg, filepath.Join(dir, "raw"))
	}
	// The run stopped at the failing write: no further document was
	// requested, and none is recorded as failed.
	if n := f.hitsUnder("/f/"); n != 2 {
		t.Errorf("%d attachments requested; the run should stop at the second", n)
	}
	if sum.Failed != 0 || sum.New != 1 {
		t.Errorf("summary = %+v; want 1 new, nothing failed", sum)
	}
	if d := mustDocuments(t, dir); len(d) != 1 {
		t.Errorf("documents after the disk filled: %v; want the one stored", d)
	}

	// Space freed: the next run resumes and completes.
	createTemp = func(dir string) (archiveFile, error) {
		f, err := os.CreateTemp(dir, "fetch-*")
		if err != nil {
			return nil, err
		}
		return f, nil
	}
	sum = mustRun(t, cfg)
	if sum.Resumed != 2 || sum.New != pdfs-1 || sum.Failed != 0 {
		t.Errorf("resumed run: %+v; want 2 resumed, %d new", sum, pdfs-1)
	}
	if d := mustDocuments(t, dir); len(d) != pdfs {
		t.Errorf("%d documents after the resumed run, want %d", len(d), pdfs)
	}
}

// TestStateDiskFull checks that SQLITE_FULL from the state database reads
// as a full disk, not as another crawl holding the lock. SQLite's
// max_page_count makes the database full without filling a disk.
func TestStateDiskFull(t *testing.T) {
	ctx := context.Background()
	path := StatePath(t.TempDir())
	st, err := openState(ctx, path, true, defaultBusyTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.db.ExecContext(ctx, `PRAGMA max_page_count = 8`); err != nil {
		t.Fatal(err)
	}
	for i := range 1000 {
		err = st.put(ctx, &urlState{URL: fmt.Sprintf("http://a.gov.cn/%d", i), Site: "a", Kind: kindList,
			Status: StatusNew, Title: strings.Repeat("年", 500)}, false)
		if err != nil {
			break
		}
	}
	if !isDiskFull(err) {
		t.Fatalf("filling the state database: err = %v; want SQLITE_FULL", err)
	}
	msg := stateError(path, err).Error()
	if !strings.Contains(msg, "disk full: "+path) || strings.Contains(msg, "another crawl") {
		t.Errorf("stateError = %q; want it to say the disk is full at %s", msg, path)
	}
	if !errors.Is(stateError(path, err), ErrDiskFull) {
		t.Error("stateError does not wrap ErrDiskFull")
	}
}

// TestCrawlInvalidUTF8 checks that raw bytes from a server (a redirect to
// a host of 0xFF bytes, header values, page text) reach neither the state
// database nor the documents as invalid UTF-8, and that the replacement
// is recorded.
func TestCrawlInvalidUTF8(t *testing.T) {
	f := newFixture(t)
	pdf := []byte("%PDF-1.4 with odd headers")
	// One link a line: the page decoder reads lines that are not UTF-8
	// as GB18030, which makes any bytes valid but garbles the line.
	f.file("/nb/", "text/html; charset=utf-8", []byte(`<html><head><meta charset="utf-8"><title>信息公开</title></head><body>
<a href="/nb/r.htm">2023年政府信息公开工作年度报告</a>
<a href="/nb/moved.htm">2022年政府信息公开工作年度报告</a>
`+"<a href=\"http://\xff\xfe.gov.cn/a.pdf\">2021年政府信息公开工作年度报告</a>\n"+
		"<a href=\"/nb/\xff\xfe.pdf\">2020年政府信息公开工作年度报告\xff</a>\n</body></html>"))
	f.file("/nb/r.htm", "text/html; charset=utf-8", []byte(reportPage("2023年政府信息公开工作年度报告", "2024-01-01",
		`<a href="/f/a.pdf">附件</a>`+reportTable+"\n<p>\xff\xfe</p>")))
	f.handle("/nb/moved.htm", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "http://\xff\xfe/x")
		w.WriteHeader(http.StatusFound)
	})
	f.handle("/f/a.pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf; name=\xff")
		w.Header().Set("ETag", "\"\xff\xfe\"")
		w.Header().Set("Last-Modified", "Fri, 08 Mar 2024 \xff")
		w.Write(pdf)
	})
	f.handle("/nb/\xff\xfe.pdf", func(w http.ResponseWriter, r *http.Request) { w.Write(pdf) })
	dir := t.TempDir()
	sum := mustRun(t, testConfig(t, dir, f.site("bytes", "/nb/")))
	if sum.InvalidUTF8 < 2 {
		t.Errorf("summary = %+v; want the redirect and the PDF counted as having invalid UTF-8", sum)
	}

	docs := mustDocuments(t, dir)
	for _, ds := range docs {
		for _, d := range ds {
			v := reflect.ValueOf(d)
			for i := range v.NumField() {
				if s, ok := v.Field(i).Interface().(string); ok && !utf8.ValidString(s) {
					t.Errorf("document %q: %s %q is not valid UTF-8", d.URL, v.Type().Field(i).Name, s)
				}
			}
		}
	}
	if d := docs[f.url("/nb/moved.htm")]; len(d) != 1 || d[0].Status != StatusFailed ||
		!strings.Contains(d[0].Error, "outside the site") || !strings.Contains(d[0].Error, invalidUTF8Note+" (error)") {
		t.Errorf("redirect to a raw-byte host: %+v", d)
	}
	if d := docs[f.url("/f/a.pdf")]; len(d) != 1 || d[0].Status != StatusNew || d[0].SHA256 != sha(pdf) ||
		!strings.Contains(d[0].Error, invalidUTF8Note+" (etag, last_modified)") {
		t.Errorf("PDF with raw-byte headers: %+v", d)
	}
	if d := docs[f.url("/nb/r.htm")]; len(d) != 1 || d[0].Status != StatusNew || d[0].Year != 2023 {
		t.Errorf("report with raw bytes: %+v", d)
	}

	// The state database itself holds nothing else.
	st, err := openState(context.Background(), StatePath(dir), false, defaultBusyTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.db.Query(`SELECT ` + urlColumns + ` FROM urls`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		s, err := scanState(rows)
		if err != nil {
			t.Fatal(err)
		}
		n++
		v := reflect.ValueOf(*s)
		for i := range v.NumField() {
			if fv := v.Field(i); fv.Kind() == reflect.String && !utf8.ValidString(fv.String()) {
				t.Errorf("state of %q: %s %q is not valid UTF-8", s.URL, v.Type().Field(i).Name, fv.String())
			}
		}
	}
	if n < 5 {
		t.Errorf("state database holds %d URLs, want the list, the report, the redirect and two PDFs", n)
	}
}

func TestClean(t *testing.T) {
	st := &urlState{URL: "http://a.gov.cn/", Title: strings.Repeat("年", maxFieldLen) + "\xff", Error: "x\xfey", ETag: "\"ok\""}
	bad := st.clean()
	if !reflect.DeepEqual(bad, []string{"title", "error"}) {
		t.Errorf("clean reported %v; want title and error", bad)
	}
	if !utf8.ValidString(st.Title) || len(st.Title) > maxFieldLen || !utf8.ValidString(st.Error) {
		t.Errorf("after clean: title %d bytes, valid %v; error %q", len(st.Title), utf8.ValidString(st.Title), st.Error)
	}
	if st.Error != "x\uFFFDy; "+invalidUTF8Note+" (title, error)" {
		t.Errorf("error = %q", st.Error)
	}
	if again := st.clean(); again != nil || strings.Count(st.Error, invalidUTF8Note) != 1 {
		t.Errorf("second clean: %v, %q", again, st.Error)
	}
}
