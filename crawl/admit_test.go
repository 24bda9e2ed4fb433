package crawl

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// TestCrawlAdmissionCounts checks that every link the crawl does not
// follow is counted under its reason and logged at debug level.
func TestCrawlAdmissionCounts(t *testing.T) {
	f := newFixture(t)
	// listPage adds a link to a mirror on another host to every page.
	f.html("/nb/", listPage("信息公开", [][2]string{{"/nb/a/", "栏目"}, {"/nb/calendar/2024.html", "日历"}}, ""))
	f.html("/nb/a/", listPage("栏目", [][2]string{{"/nb/", "返回"}, {"/nb/a/b/", "下级"}}, ""))
	f.html("/nb/a/b/", listPage("下级", nil, ""))

	var logs bytes.Buffer
	cfg := testConfig(t, t.TempDir(), f.site("admit", "/nb/"))
	cfg.MaxDepth = 1
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	sum := mustRun(t, cfg)
	if sum.Pages != 2 || sum.OffSite != 2 || sum.Traps != 1 || sum.Seen != 1 || sum.OverDepth != 1 || sum.OverPages != 0 {
		t.Errorf("summary = %+v; want 2 pages, 2 off-site, 1 trap, 1 seen, 1 over depth", sum)
	}
	for _, want := range []string{"reason=off-site", "reason=trap trap=calendar", "reason=seen", "reason=over-depth"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("debug log lacks %q:\n%s", want, logs.String())
		}
	}

	cfg = testConfig(t, t.TempDir(), f.site("admit", "/nb/"))
	cfg.MaxPages = 1
	if sum := mustRun(t, cfg); sum.Pages != 1 || sum.OverPages != 1 || sum.Traps != 1 || sum.OffSite != 1 {
		t.Errorf("summary = %+v; want 1 page, 1 over the page cap, 1 trap, 1 off-site", sum)
	}
}

// TestBinaryType checks the Content-Type recorded for binary bodies.
func TestBinaryType(t *testing.T) {
	for _, tc := range []struct {
		served, head, want string
	}{
		{"application/vnd.ms-word", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "application/vnd.ms-word"}, // kept as sent
		{"text/html; charset=GBK", "%PDF-1.4\n", "application/pdf"},
		{"", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "application/x-ole-storage"},
		{"application/octet-stream", "PK\x03\x04", "application/zip"},
		{"text/plain", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"},
	} {
		if got := binaryType(tc.served, []byte(tc.head)); got != tc.want {
			t.Errorf("binaryType(%q, %q) = %q, want %q", tc.served, tc.head, got, tc.want)
		}
	}
}
