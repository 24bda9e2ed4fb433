package normalize

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// A value is a parsed cell: a number, or blank (Num == nil) where the
// report prints the cell without a number.
type value struct {
	Num  *float64
	Unit string // "元" or "万元" when printed with the number
}

// blankMarks are what reports print in a cell that has no number.
var blankMarks = map[string]bool{
	"": true, "-": true, "—": true, "——": true, "–": true, "－": true, "/": true, "／": true,
	"无": true, "\\": true, "_": true, "…": true, "...": true, "—-": true, "--": true,
}

// unitSuffixes may follow a number in a cell; only money units change it.
var unitSuffixes = []string{"万元", "元", "件", "条", "个", "项", "次", "人", "宗", "起", "份"}

// parseValue reads a cell's text as a value. ok is false for text that is
// not a value (a label).
func parseValue(raw string) (v value, ok bool) {
	return parseValueInto(raw, new(float64))
}

// parseValueInto is parseValue storing the number in *f, so that the
// numbers of a row can share one allocation.
func parseValueInto(raw string, f *float64) (v value, ok bool) {
	if !mayBeValue(raw) {
		return value{}, false
	}
	return readValue(raw, f)
}

// readValue is parseValueInto without the shortcut for labels.
func readValue(raw string, f *float64) (v value, ok bool) {
	s := norm.NFKC.String(raw)
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\n', '\r', 0xA0, 0x3000:
			return -1
		}
		return r
	}, s)
	if blankMarks[s] {
		return value{}, true
	}
	for _, u := range unitSuffixes {
		if t, found := strings.CutSuffix(s, u); found && t != "" {
			s, v.Unit = t, u
			break
		}
	}
	if v.Unit != "元" && v.Unit != "万元" {
		v.Unit = ""
	}
	s = strings.ReplaceAll(s, ",", "")
	if s == "" || !isNumber(s) {
		return value{}, false
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return value{}, false
	}
	*f, v.Num = n, f
	return v, true
}

// mayBeValue is false for text that holds a CJK ideograph no value has: a
// label, told apart without normalising it. Unified ideographs are their
// own NFKC form, so normalising would keep them and parseValue reject
// them.
func mayBeValue(raw string) bool {
	for _, r := range raw {
		if isUnifiedIdeograph(r) && !strings.ContainsRune(valueIdeographs, r) {
			return false
		}
	}
	return true
}

// valueIdeographs are the ideographs of blankMarks and unitSuffixes.
var valueIdeographs = func() string {
	var b strings.Builder
	for _, s := range append(slices.Collect(maps.Keys(blankMarks)), unitSuffixes...) {
		for _, r := range s {
			if isUnifiedIdeograph(r) && !strings.ContainsRune(b.String(), r) {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}()

func isUnifiedIdeograph(r rune) bool { return r >= 0x4E00 && r <= 0x9FFF }

// isNumber accepts an optional sign, digits and at most one decimal point;
// strconv alone would also take "Inf", "1e5" and hex.
func isNumber(s string) bool {
	if s[0] == '-' || s[0] == '+' {
		s = s[1:]
	}
	digits, dots := 0, 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '.':
			dots++
		default:
			return false
		}
	}
	return digits > 0 && dots <= 1
}

// moneyUnit returns the unit a money column's header declares: "元" when it
// says 元 but not 万元, else "万元" (the template's unit).
func moneyUnit(header string) string {
	h := norm.NFKC.String(header)
	if strings.Contains(h, "元") && !strings.Contains(h, "万元") {
		return "元"
	}
	return "万元"
}

// toWan converts an amount to 万元, rounding away binary noise so that
// 251000元 reads as 25.1.
func toWan(f float64, unit string) float64 {
	if unit != "元" {
		return f
	}
	w, _ := strconv.ParseFloat(strconv.FormatFloat(f/10000, 'f', 10, 64), 64)
	return w
}
