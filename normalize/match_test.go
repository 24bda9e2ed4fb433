package normalize

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/opengov-cn/nianbao/parse"
)

// fixtureTexts returns every paragraph and cell text of the fixtures and
// the corpus, and the template's own labels: the inputs that core and
// parseValue see in practice.
func fixtureTexts(t testing.TB) []string {
	t.Helper()
	var out []string
	for _, r := range rowDefs {
		out = append(out, r.forms()...)
	}
	for _, c := range colDefs {
		out = append(out, c.forms()...)
	}
	out = append(out, groupHeadings...)
	for _, path := range fixtureFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := parse.Parse(context.Background(), path, data)
		if err != nil {
			continue
		}
		for _, b := range doc.Blocks {
			out = append(out, b.Text)
			if b.Table == nil {
				continue
			}
			for _, row := range b.Table.Rows {
				for _, c := range row.Cells {
					out = append(out, c.Text)
				}
			}
		}
	}
	return out
}

func fixtureFiles(t testing.TB) []string {
	t.Helper()
	var out []string
	for _, pat := range []string{"../testdata/reports/*/report.*", "../testdata/pdf/*/report.*", "../../shared/corpus/*/report.*"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m...)
	}
	if len(out) == 0 {
		t.Fatal("no fixtures found")
	}
	return out
}

// regexpCore is core as it was written first, with regular expressions:
// the reference that the hand-written scanners must agree with.
func regexpCore(s string) string {
	numbering := regexp.MustCompile(`^(?:[一二三四五六七八九十]+[、.,]|[(][一二三四五六七八九十0-9]+[)]|[0-9]+[.、,)]|[一二三四五六七八九十]+[)])`)
	remark := regexp.MustCompile(`[(][^()]*(?:[)]|$)`)
	s = norm.NFKC.String(s)
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == 0x200B || r == 0xFEFF {
			return -1
		}
		return r
	}, s)
	for {
		t := numbering.ReplaceAllString(s, "")
		if t == s {
			break
		}
		s = t
	}
	if t := remark.ReplaceAllString(s, ""); t != "" && strings.ContainsFunc(t, unicode.IsLetter) {
		s = t
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '/' {
			return r
		}
		return -1
	}, s)
}

var coreEdgeCases = []string{
	"", "(", ")", "()", "(()", "())", "((a))", "a(b(c)d)e", "a(b", "(一)(二)三", "(1)(2)", "一、二、三",
	"十一.x", "一)二", "(十)", "(1a)", "12)", "12", "1,2", "(三)1.属于国家秘密", "本年(万元", "(本列)",
	"\xff(\xfe)", "（一）（二）", "一二三", "(a)(b)", "x(y)z(w", "⑴予以公开", "〸一、x",
}

func TestCoreMatchesRegexp(t *testing.T) {
	for _, s := range append(coreEdgeCases, fixtureTexts(t)...) {
		if got, want := core(s), regexpCore(s); got != want {
			t.Errorf("core(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzCore(f *testing.F) {
	for _, s := range coreEdgeCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := core(s), regexpCore(s); got != want {
			t.Errorf("core(%q) = %q, want %q", s, got, want)
		}
	})
}

// TestMayBeValue: the shortcut that tells labels without normalising them
// never turns away a value.
func TestMayBeValue(t *testing.T) {
	for _, s := range fixtureTexts(t) {
		var f, g float64
		v, ok := parseValueInto(s, &f)
		w, wok := readValue(s, &g)
		if ok != wok || !sameValue(v.Num, w.Num) || v.Unit != w.Unit {
			t.Errorf("parseValue(%q) = %v %v, without the shortcut %v %v", s, fmtNum(v.Num), ok, fmtNum(w.Num), wok)
		}
	}
}

func TestCache(t *testing.T) {
	c := newCache[string, int](2, ownLabel)
	calls := 0
	long := strings.Repeat("长", maxCachedLabel)
	tests := []struct {
		key         string
		calls, size int // computations so far, entries afterwards
		wantValue   int
	}{
		{"a", 1, 1, 1},
		{"a", 1, 1, 1},                // cached
		{"bb", 2, 2, 2},               // now full
		{"ccc", 3, 1, 3},              // starts over
		{"a", 4, 2, 1},                // was dropped
		{long, 5, 2, len(long)},       // too long to keep
		{long, 6, 2, len(long)},       // so worked out again
		{"ccc", 6, 2, 3},              // kept
		{strings.Clone("a"), 6, 2, 1}, // keyed by content
		{"dddd", 7, 1, 4},             // starts over again
		{"", 8, 2, 0},                 // a label like any other
	}
	for i, tt := range tests {
		v := c.get(tt.key, func(k string) int { calls++; return len(k) })
		if v != tt.wantValue || calls != tt.calls || len(c.m) != tt.size {
			t.Errorf("step %d: get(%.10q) = %d after %d computations, %d entries; want %d, %d, %d",
				i, tt.key, v, calls, len(c.m), tt.wantValue, tt.calls, tt.size)
		}
	}
}

// TestSharedCachesConcurrent runs the pipeline over every fixture on
// several goroutines at once, with caches so small that they start over
// all the time: every report must come out as it does alone. Run with
// -race.
func TestSharedCachesConcurrent(t *testing.T) {
	files := fixtureFiles(t)
	want := make([]*Report, len(files))
	for i, f := range files {
		want[i] = ProcessFile(context.Background(), f)
	}
	defer shrink(matches, 7)()
	defer shrink(votes, 5)()
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Go(func() {
			for i := range files {
				k := (i + g) % len(files)
				if got := ProcessFile(context.Background(), files[k]); !reflect.DeepEqual(got, want[k]) {
					t.Errorf("%s: report on goroutine %d differs from the report made alone", files[k], g)
				}
			}
		})
	}
	wg.Wait()
}

// shrink empties c and bounds it to size until the returned func restores it.
func shrink[K comparable, V any](c *cache[K, V], size int) (restore func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.size
	c.size = size
	clear(c.m)
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.size = old
	}
}
