package normalize

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// A matcher finds the template row or column a printed label stands for.
type matcher struct {
	cands []cand
	keys  []string       // the distinct keys of cands
	exact map[string]int // core label → index in cands; -1 when ambiguous
	width int            // the most runes a candidate's core has
}

type cand struct {
	key   string
	core  string
	runes []rune // of core, for similarity
	ki    int    // index of key in keys
}

// newMatcher matches the labels (and variants) of table's definitions.
func newMatcher[D def](defs []D, table TableID) *matcher {
	m := &matcher{exact: map[string]int{}}
	for _, d := range defs {
		if d.at().table != table {
			continue
		}
		m.keys = append(m.keys, d.at().key)
		for _, form := range d.forms() {
			c := cand{key: d.at().key, core: core(form), ki: len(m.keys) - 1}
			c.runes = []rune(c.core)
			m.width = max(m.width, len(c.runes))
			if i, ok := m.exact[c.core]; ok && m.cands[i].key != c.key {
				m.exact[c.core] = -1
			} else if !ok {
				m.exact[c.core] = len(m.cands)
			}
			m.cands = append(m.cands, c)
		}
	}
	return m
}

var (
	rowMatchers = map[TableID]*matcher{T2: newMatcher(rowDefs, T2), T3: newMatcher(rowDefs, T3)}
	colMatchers = map[TableID]*matcher{T2: newMatcher(colDefs, T2), T3: newMatcher(colDefs, T3), T4: newMatcher(colDefs, T4)}
	t4Groups    = newMatcher(rowDefs, T4) // the block headings over t4's columns
)

// match is m.match through the shared cache.
func match(m *matcher, label string) (key string, score float64, ambiguous bool) {
	r := matches.get(matchKey{m, label}, func(k matchKey) matchResult {
		var r matchResult
		r.key, r.score, r.ambiguous = k.m.match(k.label)
		return r
	})
	return r.key, r.score, r.ambiguous
}

type matchKey struct {
	m     *matcher
	label string
}

type matchResult struct {
	key       string
	score     float64
	ambiguous bool
}

// matches remembers what labels matched, across reports: reports print the
// template's labels over and over (and spanned cells repeat them within a
// report), while matching one costs a normalisation and a similarity
// against every candidate.
var matches = newCache[matchKey, matchResult](labelCacheSize, func(k matchKey) (matchKey, bool) {
	var ok bool
	k.label, ok = ownLabel(k.label)
	return k, ok
})

// labelCacheSize bounds each shared label cache. A report has about a
// hundred distinct labels, most of them the template's own, so this holds
// a batch's working set many times over, in a few MB at most.
const labelCacheSize = 1 << 13

// maxCachedLabel: longer labels (rows joined across line breaks) are
// worked out but not cached; they hardly repeat, and keeping them out
// bounds the caches in bytes, not only in entries.
const maxCachedLabel = 256

// ownLabel is a copy of label for a cache to keep, and whether it is
// short enough to keep. A label is often a substring of the whole
// document's text: a copy keeps the caches from holding documents alive.
func ownLabel(label string) (string, bool) {
	if len(label) > maxCachedLabel {
		return "", false
	}
	return strings.Clone(label), true
}

// cache is a map safe for concurrent use that holds at most size entries.
// When full it starts over rather than stop adding: a batch drifts from
// one region's way of printing labels to another's, and starting over
// costs one recomputation per label in use, while stopping would freeze
// the cache on whatever the first reports printed.
type cache[K comparable, V any] struct {
	mu   sync.RWMutex
	m    map[K]V
	size int
	keep func(K) (K, bool) // the key to store for k, or false not to store it
}

func newCache[K comparable, V any](size int, keep func(K) (K, bool)) *cache[K, V] {
	return &cache[K, V]{m: make(map[K]V), size: size, keep: keep}
}

// get returns the value for k, computing it with f if it is not cached.
// Two goroutines may both compute a missing value; f is pure, so either
// result will do.
func (c *cache[K, V]) get(k K, f func(K) V) V {
	c.mu.RLock()
	v, ok := c.m[k]
	c.mu.RUnlock()
	if ok {
		return v
	}
	v = f(k)
	if k, ok := c.keep(k); ok {
		c.mu.Lock()
		if len(c.m) >= c.size {
			clear(c.m)
		}
		c.m[k] = v
		c.mu.Unlock()
	}
	return v
}

// match returns the key whose label is most like label, its score in [0,1],
// and whether another key scored nearly as well.
func (m *matcher) match(label string) (key string, score float64, ambiguous bool) {
	c := core(label)
	if c == "" {
		return "", 0, false
	}
	if i, ok := m.exact[c]; ok && i >= 0 {
		return m.cands[i].key, 1, false
	}
	rc := []rune(c)
	rows := make([]int, 2*(m.width+1)) // the two rows of the LCS table
	perKey := make([]float64, len(m.keys))
	for _, cd := range m.cands {
		s := dice(rc, cd.runes, rows)
		if len(c) >= 5*3 && strings.Contains(cd.core, c) {
			// A label cut short by a line break: 缴纳费用、 / 行政机关….
			s = max(s, 0.85)
		}
		perKey[cd.ki] = max(perKey[cd.ki], s)
	}
	best, second := 0.0, 0.0
	bestKey := ""
	for ki, s := range perKey {
		switch k := m.keys[ki]; {
		case s > best || (s == best && k < bestKey):
			second, best, bestKey = best, s, k
		case s > second:
			second = s
		}
	}
	return bestKey, best, best-second < 0.1
}

// core reduces a printed label to what identifies it: Unicode-normalised
// (full-width forms, Kangxi radicals), without white space, numbering,
// bracketed remarks or punctuation. It allocates only for what it changes:
// most labels are already normal and need one or two of the steps.
func core(s string) string {
	s = norm.NFKC.String(s) // returns s itself when already normal
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == 0x200B || r == 0xFEFF {
			return -1
		}
		return r
	}, s)
	for n := numberingLen(s); n > 0; n = numberingLen(s) {
		s = s[n:]
	}
	if t := stripRemarks(s); t != "" && strings.ContainsFunc(t, unicode.IsLetter) {
		s = t
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '/' {
			return r
		}
		return -1
	}, s)
}

// numberingLen is the length of the item number s starts with — 一、 （一）
// 1. 1、 一） after normalisation — or 0.
func numberingLen(s string) int {
	if n := runLen(s, isHanNumeral); n > 0 {
		if r, w := utf8.DecodeRuneInString(s[n:]); r == '、' || r == '.' || r == ',' || r == ')' {
			return n + w
		}
		return 0
	}
	if strings.HasPrefix(s, "(") {
		n := runLen(s[1:], func(r rune) bool { return isHanNumeral(r) || isDigit(r) })
		if n > 0 && strings.HasPrefix(s[1+n:], ")") {
			return n + 2
		}
		return 0
	}
	if n := runLen(s, isDigit); n > 0 {
		if r, w := utf8.DecodeRuneInString(s[n:]); r == '.' || r == '、' || r == ',' || r == ')' {
			return n + w
		}
	}
	return 0
}

func isHanNumeral(r rune) bool { return strings.ContainsRune("一二三四五六七八九十", r) }
func isDigit(r rune) bool      { return '0' <= r && r <= '9' }

// runLen is the length in bytes of the longest prefix of s whose runes
// all satisfy f.
func runLen(s string, f func(rune) bool) int {
	for i, r := range s {
		if !f(r) {
			return i
		}
	}
	return len(s)
}

// stripRemarks removes bracketed remarks: each "(" with no bracket after
// it up to the next ")" or the end of s, and what that encloses.
func stripRemarks(s string) string {
	open := strings.IndexByte(s, '(')
	if open < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	done := 0 // s[:done] is written or dropped
	for open >= 0 {
		end := strings.IndexAny(s[open+1:], "()")
		switch {
		case end < 0: // runs to the end
			b.WriteString(s[done:open])
			return b.String()
		case s[open+1+end] == ')':
			b.WriteString(s[done:open])
			done = open + 1 + end + 1
			open = indexFrom(s, '(', done)
		default: // another "(" first: this one opens no remark
			open = open + 1 + end
		}
	}
	b.WriteString(s[done:])
	return b.String()
}

// indexFrom is the index of the first c in s at or after i, or -1.
func indexFrom(s string, c byte, i int) int {
	if j := strings.IndexByte(s[i:], c); j >= 0 {
		return i + j
	}
	return -1
}

// similarity is the Dice coefficient of the longest common subsequence:
// robust to missing, extra and broken characters in hand-made labels.
func similarity(a, b string) float64 {
	rb := []rune(b)
	return dice([]rune(a), rb, make([]int, 2*(len(rb)+1)))
}

// dice is similarity on runes, with rows (at least 2·(len(b)+1) long) as
// the table's scratch space, so that matching a label against every
// candidate allocates it once.
func dice(a, b []rune, rows []int) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	prev, cur := rows[:len(b)+1], rows[len(b)+1:2*(len(b)+1)]
	clear(prev)
	clear(cur)
	for i := range a {
		for j := range b {
			switch {
			case a[i] == b[j]:
				cur[j+1] = prev[j] + 1
			case prev[j+1] >= cur[j]:
				cur[j+1] = prev[j+1]
			default:
				cur[j+1] = cur[j]
			}
		}
		prev, cur = cur, prev
	}
	return 2 * float64(prev[len(b)]) / float64(len(a)+len(b))
}

var groupCores = func() []string {
	var out []string
	for _, t := range tables {
		for _, c := range t.captions {
			out = append(out, core(c))
		}
	}
	for _, g := range groupHeadings {
		out = append(out, core(g))
	}
	return out
}()

// isGroupLabel reports whether label is (or contains) a heading that is not
// a row of its own.
func isGroupLabel(label string) bool {
	c := core(label)
	for _, g := range groupCores {
		if strings.Contains(c, g) {
			return true
		}
	}
	return false
}
