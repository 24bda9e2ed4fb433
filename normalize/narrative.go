package normalize

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/opengov-cn/nianbao/parse"
)

// Quotes: the counts a report's own text states — "全年共受理政府信息公开
// 申请154件", "因政府信息公开引起的行政复议案件2件、行政诉讼案件7件" — for
// the x.narrative checks to hold against its tables.
//
// A wrong quote makes a check fail that should not, so the patterns ask
// for much and miss rather than guess: the verb and the noun together
// (收到/新收/受理/接收/接到 … 申请 for requests; 行政复议, 行政诉讼), the
// number right after the noun (or, for requests, right before 申请:
// "收到2项申请"), a unit at once (件, 起, 项…), Arabic digits only, and
// nothing in the clause that makes it a part or another year's count
// (其中, 本级, 各部门, 上年, 同比, 累计, 自然人…, another year than the
// report's). 行政复议 and 行政诉讼 counts are taken only from sentences
// about disclosure (信息公开, 依申请), and not where the report handles
// cases itself (受理/办理/审理 … 行政复议: a government as the
// reconsideration body) or counts both together (行政复议和行政诉讼共5件).

// Quote is a count stated in the report's text.
type Quote struct {
	What     string    // QuoteReceived, QuoteReconsideration or QuoteLitigation
	Number   float64   // the count
	Sentence string    // the sentence it is stated in (NFKC, without white space)
	Loc      parse.Loc // the paragraph it is in (its first line, for one wrapped over lines)
}

// What a quote counts.
const (
	QuoteReceived        = "received"        // requests received this year: t3/new_received/total
	QuoteReconsideration = "reconsideration" // reconsiderations: t4/reconsideration/total
	QuoteLitigation      = "litigation"      // lawsuits: t4/litigation_direct/total + t4/litigation_after_reconsideration/total
)

// quoteWhats are the kinds of quotes, in the order their checks come.
var quoteWhats = []string{QuoteReceived, QuoteReconsideration, QuoteLitigation}

const (
	numRe     = `(\d{1,3}(?:,\d{3})+|\d+)`
	fillersRe = `(?:数量|总数|数)?(?:共计|共|合计|总计|计|为|达到|达|是)?:?`
	caseUnit  = `(?:件|起|宗|个|例|次)`
)

var (
	// receivedNoun: the verb, a short gap within the clause, the noun,
	// the number, the unit.
	receivedNoun = regexp.MustCompile(`(?:收到|新收|受理|接收|接到|收悉)([^,，。;；!?！？:\d]{0,20}?)` +
		`(政府信息公开申请|信息公开申请|公开申请|依申请公开申请|依申请公开事项|依申请公开|申请)` + fillersRe + numRe + `(?:件|个|项|份|条|宗|例)`)
	// receivedCount: the verb, the number and unit, then 申请.
	receivedCount = regexp.MustCompile(`(?:收到|新收|受理|接收|接到)(?:各类|共计|共|了)?` + numRe + `(?:件|个|项|份|条)(?:的)?(?:政府信息公开|信息公开|依申请公开)?申请`)
	reconRe       = regexp.MustCompile(`行政复议(?:案件|申请)?` + fillersRe + numRe + caseUnit)
	litigationRe  = regexp.MustCompile(`行政诉讼(?:案件)?` + fillersRe + numRe + caseUnit)
	// bareLitigation is "诉讼9件" right after a reconsideration count:
	// "行政复议7件，诉讼9件".
	bareLitigation = regexp.MustCompile(`^[,、](?:被提起|提起)?诉讼(?:案件)?` + fillersRe + numRe + caseUnit)
	// bothBefore ends the text before a 行政诉讼 that shares its count
	// with 行政复议: "行政复议和行政诉讼案件共5件".
	bothBefore = regexp.MustCompile(`行政复议(?:案件|申请)?(?:和|及|与|或|以及|、)$`)
	yearInText = regexp.MustCompile(`(20\d{2})年`)
	pageNumber = regexp.MustCompile(`^(?:[-－—]*\d+[-－—]*|第\d+页(?:共\d+页)?|\d+/\d+)$`)
)

// notThisCount are words in a quote's clause that make its number a
// part of the count, or another year's.
var notThisCount = []string{"上年", "去年", "上一年", "前年", "同比", "累计", "历年", "以来", "其中", "本级",
	"各部门", "各单位", "各乡镇", "各街道", "各镇", "下属", "所属"}

// notReceived are words that make a requests count a part of it, or
// another count: handled, carried over, by one kind of applicant, or
// requests of another kind (行政复议申请, 信访).
var notReceived = []string{"结转", "办结", "答复", "转办", "转来", "自然人", "法人", "企业", "组织", "机构", "律师",
	"复议", "诉讼", "信访", "投诉", "举报", "咨询"}

// handling are verbs of a body that decides reconsiderations itself.
var handling = []string{"受理", "办理", "审理", "收到", "接收", "接到", "作出"}

// maxParagraph caps the text joined from wrapped lines into one
// paragraph, in runes.
const maxParagraph = 4000

// findQuotes lists the counts the text of doc states, in the order they
// are printed. year is the year the report covers (0 if unknown).
func findQuotes(doc *parse.Document, year int) []Quote {
	var out []Quote
	var para strings.Builder
	var loc parse.Loc
	flush := func() {
		if para.Len() > 0 {
			out = appendQuotes(out, para.String(), loc, year)
			para.Reset()
		}
	}
	for _, b := range doc.Blocks {
		if b.Table != nil || b.Heading {
			flush()
			continue
		}
		t := quoteText(b.Text)
		if t == "" || pageNumber.MatchString(t) {
			continue // a page's number between the lines of a paragraph
		}
		if para.Len() == 0 {
			loc = b.Loc
		}
		para.WriteString(t)
		// A paragraph wrapped over lines (PDF, text dumps) goes on until a
		// line ends a sentence.
		if r, _ := utf8.DecodeLastRuneInString(t); strings.ContainsRune("。！？；：!?;:", r) || para.Len() > maxParagraph*3 {
			flush()
		}
	}
	flush()
	return out
}

// quoteText is text as quotes are read from it: NFKC (full-width digits
// and punctuation as ASCII), without white space but between two digits.
func quoteText(s string) string {
	s = norm.NFKC.String(s)
	if !strings.ContainsFunc(s, unicode.IsSpace) {
		return s
	}
	rs := []rune(strings.TrimSpace(s))
	var b strings.Builder
	for i, r := range rs {
		if unicode.IsSpace(r) {
			if i > 0 && i+1 < len(rs) && isDigit(rs[i-1]) && isDigit(rs[i+1]) {
				b.WriteRune(' ')
			}
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// appendQuotes adds the quotes of one paragraph.
func appendQuotes(out []Quote, para string, loc parse.Loc, year int) []Quote {
	if !strings.Contains(para, "申请") && !strings.Contains(para, "复议") && !strings.Contains(para, "诉讼") {
		return out
	}
	aboutDisclosure := strings.Contains(para, "公开")
	for _, s := range sentences(para) {
		disclosure := strings.Contains(s, "信息公开") || strings.Contains(s, "依申请")
		add := func(what, num string, start, end int) {
			n, ok := parseCount(num)
			if !ok {
				return
			}
			q := Quote{What: what, Number: n, Sentence: excerpt(s, start, end), Loc: loc}
			for _, o := range out {
				if o.What == q.What && o.Number == q.Number && o.Sentence == q.Sentence {
					return
				}
			}
			out = append(out, q)
		}
		for _, m := range receivedNoun.FindAllStringSubmatchIndex(s, -1) {
			gap, noun := s[m[2]:m[3]], s[m[4]:m[5]]
			if noun == "申请" && !aboutDisclosure || containsAny(gap, notReceived) || !countOfYear(s, m[0], m[1], year, notReceived) {
				continue
			}
			add(QuoteReceived, s[m[6]:m[7]], m[0], m[1])
		}
		for _, m := range receivedCount.FindAllStringSubmatchIndex(s, -1) {
			if aboutDisclosure && countOfYear(s, m[0], m[1], year, notReceived) {
				add(QuoteReceived, s[m[2]:m[3]], m[0], m[1])
			}
		}
		if !disclosure {
			continue
		}
		for _, m := range reconRe.FindAllStringSubmatchIndex(s, -1) {
			if !countOfYear(s, m[0], m[1], year, handling) {
				continue
			}
			add(QuoteReconsideration, s[m[2]:m[3]], m[0], m[1])
			if l := bareLitigation.FindStringSubmatchIndex(s[m[1]:]); l != nil {
				add(QuoteLitigation, s[m[1]+l[2]:m[1]+l[3]], m[0], m[1]+l[1])
			}
		}
		for _, m := range litigationRe.FindAllStringSubmatchIndex(s, -1) {
			if bothBefore.MatchString(s[:m[0]]) || !countOfYear(s, m[0], m[1], year, handling) {
				continue
			}
			add(QuoteLitigation, s[m[2]:m[3]], m[0], m[1])
		}
	}
	return out
}

// sentences splits a paragraph at the marks that end a sentence.
func sentences(para string) []string {
	return strings.FieldsFunc(para, func(r rune) bool { return strings.ContainsRune("。！？；!?;", r) })
}

// countOfYear reports whether the match s[start:end] counts this year's
// whole: its clause (from the comma before it) names no other year and
// none of the words that make it a part, nor any of also.
func countOfYear(s string, start, end, year int, also []string) bool {
	from := strings.LastIndexAny(s[:start], ",:") + 1 // NFKC has made ，and ： ASCII
	clause := s[from:end]
	if containsAny(clause, notThisCount) || containsAny(clause, also) {
		return false
	}
	for _, m := range yearInText.FindAllStringSubmatch(clause, -1) {
		if y, _ := strconv.Atoi(m[1]); year != 0 && y != year {
			return false
		}
	}
	return true
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

func parseCount(s string) (float64, bool) {
	n, err := strconv.Atoi(strings.ReplaceAll(s, ",", ""))
	return float64(n), err == nil
}

// maxSentence is the most runes of a sentence a quote keeps; a longer
// one is cut to the quote and sentenceContext runes either side.
const (
	maxSentence     = 200
	sentenceContext = 60
)

// excerpt is sentence s as a quote keeps it, the match s[start:end] in it.
func excerpt(s string, start, end int) string {
	if utf8.RuneCountInString(s) <= maxSentence {
		return s
	}
	from, to := start, end
	for i := 0; i < sentenceContext && from > 0; i++ {
		_, n := utf8.DecodeLastRuneInString(s[:from])
		from -= n
	}
	for i := 0; i < sentenceContext && to < len(s); i++ {
		_, n := utf8.DecodeRuneInString(s[to:])
		to += n
	}
	out := s[from:to]
	if from > 0 {
		out = "…" + out
	}
	if to < len(s) {
		out += "…"
	}
	return out
}
