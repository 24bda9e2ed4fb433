package pdflayout

import (
	"bytes"
	"strings"
)

// tokKind is the kind of one lexical token of a content stream or CMap.
type tokKind uint8

const (
	tokEOF tokKind = iota
	tokNum
	tokName
	tokStr // literal or hex string, as raw bytes
	tokOp  // operator or other bare keyword (true, false, null included)
	tokArrOpen
	tokArrClose
	tokDictOpen
	tokDictClose
)

type token struct {
	kind tokKind
	num  float64
	s    string // name (without slash), string bytes or operator
}

// lexer splits a content stream or CMap program into tokens. It never
// panics and never reads past its input; malformed bytes are skipped.
// With a stopper it ends its input early, as if at its end, once the
// stopper says so: every loop over its tokens then ends.
type lexer struct {
	b    []byte
	pos  int
	st   *stopper
	win  []byte // b up to where the stopper is asked next
	cut  int    // strings longer than maxStringBytes, cut to it
	full bool   // the string being read is cut
}

// lexWindow is how much input the lexer reads between two questions to its
// stopper: 64 KiB are some ten thousand tokens, a fraction of a
// millisecond. Tokens start within the window, and the lexer asks where
// the window ends, where it looks for the end of its input anyway: the
// question costs nothing per token.
const lexWindow = 64 << 10

// maxStringBytes is the most of one string token that is kept: four bytes
// (the longest character code) for each of the maxStringGlyphs glyphs a
// string may show. The rest of a longer string is skipped unread, so a
// string of 60 MB costs 256 KiB.
const maxStringBytes = 4 * maxStringGlyphs

func isWhite(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

func isDelim(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

func (lx *lexer) skipSpace() {
	for lx.pos < len(lx.b) {
		c := lx.b[lx.pos]
		if isWhite(c) {
			lx.pos++
			continue
		}
		if c == '%' {
			for lx.pos < len(lx.b) && lx.b[lx.pos] != '\n' && lx.b[lx.pos] != '\r' {
				lx.pos++
			}
			continue
		}
		return
	}
}

// atEnd reports, at the end of a window, whether the input is at its
// end (it is, too, once the stopper says to stop), and else moves the
// window on.
func (lx *lexer) atEnd() bool {
	if lx.pos >= len(lx.b) {
		return true
	}
	if lx.st == nil {
		lx.win = lx.b
		return false
	}
	if lx.st.steps(checkEvery) {
		lx.pos = len(lx.b)
		return true
	}
	lx.win = lx.b[:min(len(lx.b), lx.pos+lexWindow)]
	return false
}

// next returns the next token; tokEOF at the end of input.
func (lx *lexer) next() token {
	for {
		lx.skipSpace()
		if lx.pos >= len(lx.win) {
			if lx.atEnd() {
				return token{kind: tokEOF}
			}
			continue
		}
		c := lx.win[lx.pos]
		switch {
		case c == '/':
			lx.pos++
			return token{kind: tokName, s: lx.name()}
		case c == '(':
			lx.pos++
			return token{kind: tokStr, s: lx.literal()}
		case c == '<':
			if lx.pos+1 < len(lx.b) && lx.b[lx.pos+1] == '<' {
				lx.pos += 2
				return token{kind: tokDictOpen}
			}
			lx.pos++
			return token{kind: tokStr, s: lx.hex()}
		case c == '>':
			lx.pos++
			if lx.pos < len(lx.b) && lx.b[lx.pos] == '>' {
				lx.pos++
				return token{kind: tokDictClose}
			}
			continue // stray '>'
		case c == '[':
			lx.pos++
			return token{kind: tokArrOpen}
		case c == ']':
			lx.pos++
			return token{kind: tokArrClose}
		case c == ')' || c == '{' || c == '}':
			lx.pos++
			continue
		}
		start := lx.pos
		for lx.pos < len(lx.b) && !isWhite(lx.b[lx.pos]) && !isDelim(lx.b[lx.pos]) {
			lx.pos++
		}
		word := lx.b[start:lx.pos]
		if isNumberStart(word[0]) {
			if f, ok := parseNum(word); ok {
				return token{kind: tokNum, num: f}
			}
		}
		return token{kind: tokOp, s: intern(word)}
	}
}

func isNumberStart(c byte) bool {
	return c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.'
}

// parseNum parses a PDF number (digits with at most one point), tolerating
// the doubled signs some producers write ("--5" is read as -5, like other
// readers do).
func parseNum(w []byte) (float64, bool) {
	neg := false
	for len(w) > 0 && (w[0] == '-' || w[0] == '+') {
		if w[0] == '-' {
			neg = !neg
		}
		w = w[1:]
	}
	var ip, fp, scale float64 = 0, 0, 1
	dot := false
	for _, c := range w {
		switch {
		case c >= '0' && c <= '9':
			if dot {
				scale /= 10
				fp += float64(c-'0') * scale
			} else {
				ip = ip*10 + float64(c-'0')
			}
		case c == '.' && !dot:
			dot = true
		default:
			return 0, false
		}
	}
	f := ip + fp
	if neg {
		f = -f
	}
	return f, true
}

// operators interns the content-stream operators so that reading one
// does not allocate.
var operators = func() map[string]string {
	m := map[string]string{}
	for _, op := range strings.Fields(`b B b* B* BDC BI BMC BT BX c cm CS cs d d0 d1 Do DP EI EMC ET EX f F f* G g gs h i ID j J K k l m M MP n q Q re RG rg ri s S SC sc SCN scn sh T* Tc Td TD Tf Tj TJ TL Tm Tr Ts Tw Tz v w W W* y ' " true false null
		begincmap endcmap begincodespacerange endcodespacerange beginbfchar endbfchar beginbfrange endbfrange begincidchar endcidchar begincidrange endcidrange usecmap def`) {
		m[op] = op
	}
	return m
}()

func intern(b []byte) string {
	if s, ok := operators[string(b)]; ok {
		return s
	}
	return string(b)
}

func (lx *lexer) name() string {
	start := lx.pos
	for lx.pos < len(lx.b) && !isWhite(lx.b[lx.pos]) && !isDelim(lx.b[lx.pos]) {
		lx.pos++
	}
	raw := lx.b[start:lx.pos]
	if bytes.IndexByte(raw, '#') < 0 {
		return string(raw)
	}
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		if raw[i] == '#' && i+2 < len(raw) {
			h, l := unhex(raw[i+1]), unhex(raw[i+2])
			if h >= 0 && l >= 0 {
				out = append(out, byte(h<<4|l))
				i += 2
				continue
			}
		}
		out = append(out, raw[i])
	}
	return string(out)
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func (lx *lexer) hex() string {
	out := make([]byte, 0, 8)
	hi := -1
	for lx.pos < len(lx.b) {
		c := lx.b[lx.pos]
		lx.pos++
		if c == '>' {
			break
		}
		v := unhex(c)
		if v < 0 {
			continue
		}
		if hi < 0 {
			hi = v
		} else {
			out = lx.keep(out, byte(hi<<4|v))
			hi = -1
		}
	}
	if hi >= 0 {
		out = lx.keep(out, byte(hi<<4))
	}
	return lx.done(out)
}

// keep appends c to the string being read unless it is full, in which
// case the string is marked as cut.
func (lx *lexer) keep(out []byte, c byte) []byte {
	if len(out) < maxStringBytes {
		return append(out, c)
	}
	lx.full = true
	return out
}

// done ends the string being read, counting it if it was cut.
func (lx *lexer) done(out []byte) string {
	if lx.full {
		lx.cut++
		lx.full = false
	}
	return string(out)
}

func (lx *lexer) literal() string {
	// most strings hold no escape and no parenthesis: one copy of them
	for i := lx.pos; i < len(lx.b) && i-lx.pos <= maxStringBytes; i++ {
		if c := lx.b[i]; c == ')' {
			s := string(lx.b[lx.pos:i])
			lx.pos = i + 1
			return s
		} else if c == '(' || c == '\\' {
			break
		}
	}
	out := make([]byte, 0, 16)
	depth := 1
	for lx.pos < len(lx.b) {
		c := lx.b[lx.pos]
		lx.pos++
		switch c {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return lx.done(out)
			}
		case '\\':
			if lx.pos >= len(lx.b) {
				return lx.done(out)
			}
			e := lx.b[lx.pos]
			lx.pos++
			switch e {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case '\r':
				if lx.pos < len(lx.b) && lx.b[lx.pos] == '\n' {
					lx.pos++
				}
				continue
			case '\n':
				continue
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for k := 0; k < 2 && lx.pos < len(lx.b) && lx.b[lx.pos] >= '0' && lx.b[lx.pos] <= '7'; k++ {
						v = v*8 + int(lx.b[lx.pos]-'0')
						lx.pos++
					}
					c = byte(v)
				} else {
					c = e
				}
			}
		}
		out = lx.keep(out, c)
	}
	return lx.done(out)
}

// skipInlineImage moves past the data of an inline image, positioned just
// after its ID operator: the data ends at the first "EI" that stands alone
// between white space (or at the end of input).
func (lx *lexer) skipInlineImage() {
	if lx.pos < len(lx.b) && isWhite(lx.b[lx.pos]) {
		lx.pos++
	}
	for i := lx.pos; i+1 < len(lx.b); i++ {
		if lx.b[i] != 'E' || lx.b[i+1] != 'I' {
			continue
		}
		if i > 0 && !isWhite(lx.b[i-1]) {
			continue
		}
		if i+2 < len(lx.b) && !isWhite(lx.b[i+2]) {
			continue
		}
		lx.pos = i + 2
		return
	}
	lx.pos = len(lx.b)
}
