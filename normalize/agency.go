package normalize

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/opengov-cn/nianbao/parse"
)

// Agencies: one id per publishing body, the same whatever year the report
// covers and however the name is printed.
//
// The name an id is made of is chosen between the name the crawl
// registry gives the report's site and the name the report prints
// (Report.AgencyPrinted), both normalised by NormalizeAgency:
//
//  1. only one is known: that one;
//  2. both name the same body (SameAgency: equal, or one is the other
//     qualified by the places above it — 洪泽区人民政府 and
//     淮安市洪泽区人民政府 — or the bare place name of a government —
//     平潭综合实验区 and 平潭综合实验区管理委员会): the registry's, which
//     does not change from year to year;
//  3. the printed name does not look like a body's name (no suffix such
//     as 人民政府, 局, 委员会, 办公室, see AgencyLevel): the registry's;
//  4. otherwise they are two bodies — a department's report in the
//     column of its government's portal (上海市人民政府办公厅 in the column
//     of 上海市人民政府): the printed one.
//
// The id is the first 12 hex digits of the SHA-256 of the chosen
// normalised name (AgencyIDLen), "" when no name is known.
//
// A printed name that leaves out the places above it (洪泽区人民政府)
// and is parsed without a registry name gets an id of its own: which
// 洪泽区 it is cannot be told from the name alone, so no two such names
// are ever merged by guesswork.

// AgencyIDLen is the length of an agency id, in hex digits.
const AgencyIDLen = 12

// AgencyID is the stable id of the body that publishes a report, from
// the registry's name for its site and the name the report prints;
// either may be "". See ChooseAgency for which name it is made of.
func AgencyID(registryAgency, printedAgency string) string {
	return agencyHash(NormalizeAgency(ChooseAgency(registryAgency, printedAgency)))
}

func agencyHash(normalized string) string {
	if normalized == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(normalized))
	return hex.EncodeToString(sum[:])[:AgencyIDLen]
}

// ChooseAgency is the name, of the registry's and the printed one, that
// stands for the report's body (rules 1–4 above), cleaned of labels and
// annotations (CleanAgency) but not abbreviated or expanded.
func ChooseAgency(registryAgency, printedAgency string) string {
	reg, pr := CleanAgency(registryAgency), CleanAgency(printedAgency)
	switch {
	case reg == "":
		return pr
	case pr == "":
		return reg
	case SameAgency(reg, pr):
		return reg
	case AgencyLevel(pr) == "":
		return reg
	}
	return pr
}

// IdentifyAgency gives r its agency id, from the registry's name for the
// report's site (registryAgency, "" when parsed without a crawl) and the
// name the report prints. It sets AgencyRegistry and AgencyID, and Agency
// to the chosen name (ChooseAgency); AgencyPrinted keeps the printed one.
func IdentifyAgency(r *Report, registryAgency string) {
	printed := r.AgencyPrinted
	if printed == "" {
		// Nothing printed (Agency may come from the crawl), or a report
		// made before AgencyPrinted existed: Agency stands for it.
		printed = r.Agency
	}
	r.AgencyRegistry = CleanAgency(registryAgency)
	if name := ChooseAgency(registryAgency, printed); name != "" {
		r.Agency = name
	}
	r.AgencyID = agencyHash(NormalizeAgency(r.Agency))
}

var (
	// agencyNote is an annotation after a name: 沭阳县人民政府（部门栏目）.
	agencyNote = regexp.MustCompile(`\s*[（(][^（）()]*[）)]\s*$`)
	// shortGov is 政府 after a division, short for 人民政府: 洪泽区政府.
	shortGov = regexp.MustCompile(`([省市县区旗州盟])政府`)
)

// CleanAgency is a name as printed, without NFKC forms, white space, a
// label (标题：, 发布机构：) or a trailing annotation in brackets.
func CleanAgency(s string) string {
	s = norm.NFKC.String(s)
	s = parse.HeadingText(s)
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	for {
		t := agencyNote.ReplaceAllString(s, "")
		if t == s || t == "" {
			break
		}
		s = t
	}
	return s
}

// NormalizeAgency is the form of a name that ids are made of:
// CleanAgency's, with the abbreviations that always mean the same body
// written out — 政府 after a division (市政府, 县政府, 区政府) as 人民政府,
// 管委会 as 管理委员会. Nothing else is unified: 办公室 and 办公厅 are
// different bodies' names (a body prints one of them, never both), and
// a government's 办公室 is a department of its own.
func NormalizeAgency(s string) string {
	s = CleanAgency(s)
	s = shortGov.ReplaceAllString(s, "${1}人民政府")
	s = strings.ReplaceAll(s, "管委会", "管理委员会")
	return s
}

// SameAgency reports whether two names (in any form) name the same body:
// equal once normalised; one of them the other with the places above
// it in front (淮安市 + 洪泽区人民政府); or one a bare place name that
// the other follows with a government's suffix (平潭综合实验区 +
// 管理委员会). 上海市人民政府 and 上海市人民政府办公厅 are two bodies.
func SameAgency(a, b string) bool {
	a, b = NormalizeAgency(a), NormalizeAgency(b)
	if a == "" || b == "" {
		return false
	}
	if a == b {
		return true
	}
	if utf8.RuneCountInString(a) > utf8.RuneCountInString(b) {
		a, b = b, a // a is the shorter
	}
	if rest, ok := strings.CutSuffix(b, a); ok {
		// b is a with places in front: they must end in a division, and
		// a must still name a body of its own.
		return endsWithDivision(rest) && utf8.RuneCountInString(a) >= minQualified && endsWithBody(a)
	}
	if rest, ok := strings.CutPrefix(b, a); ok {
		// b is a place name with a government's suffix.
		return !endsWithBody(a) && (rest == "人民政府" || rest == "管理委员会")
	}
	return false
}

// minQualified is the fewest runes a name qualified by places above it
// has on its own: 某区人民政府 — a bare 人民政府 names no body.
const minQualified = 5

var divisions = []string{"省", "市", "州", "盟", "县", "区", "旗", "地区", "自治区"}

func endsWithDivision(s string) bool {
	for _, d := range divisions {
		if strings.HasSuffix(s, d) {
			return true
		}
	}
	return false
}

// Levels of government bodies, for the deadline of their report.
const (
	LevelGovernment = "government" // a county-or-higher government: 31 March (条例 art. 49)
	LevelDepartment = "department" // a department of one: 31 January (条例 art. 49)
	LevelTownship   = "township"   // a township government or street office: no date in 条例
)

// govSuffixes end the names of county-or-higher governments and their
// equals: 人民政府 (not 镇/乡/街道), 行政公署, and the 管理委员会 of a zone
// (开发区, 新区, 实验区…) that acts as one.
var govSuffixes = []string{"人民政府", "行政公署"}

// zoneSuffixes end a zone whose 管理委员会 governs it. 城市管理委员会
// (a department) does not end in one.
var zoneSuffixes = []string{"开发区", "新区", "实验区", "示范区", "合作区", "园区", "高新区", "试验区", "保税区", "度假区", "经济区", "港区"}

// deptSuffixes end the names of departments (and of other bodies that
// report like one: 中心, 院, 公司…), longest first where one ends another.
var deptSuffixes = []string{
	"办公室", "办公厅", "委员会", "事务所", "管理处", "总队", "支队", "大队",
	"局", "委", "办", "厅", "署", "中心", "院", "所", "站", "队", "处", "部", "社", "馆", "会", "台", "公司", "集团", "银行",
}

// AgencyLevel tells the level of a body from its name (in any form):
//
//   - LevelTownship: ends with 镇人民政府, 乡人民政府 (民族乡 too) or
//     街道办事处;
//   - LevelGovernment: ends with 人民政府 or 行政公署, or is the
//     管理委员会 of a zone (…开发区管理委员会, …实验区管理委员会);
//   - LevelDepartment: ends with a department's suffix — 局, 委, 委员会,
//     办, 办公室, 办公厅, 厅, 署, 中心, 院, 所, 站, 队, 处, 部, 社, 馆, 会…
//     (人民政府办公室 is a department: the government's office);
//   - "" otherwise (a bare place name, or no name).
//
// The registry's level, where it has one, overrides this.
func AgencyLevel(name string) string {
	s := NormalizeAgency(name)
	switch {
	case s == "":
		return ""
	case strings.HasSuffix(s, "镇人民政府"), strings.HasSuffix(s, "乡人民政府"), strings.HasSuffix(s, "街道办事处"):
		return LevelTownship
	}
	for _, g := range govSuffixes {
		if strings.HasSuffix(s, g) {
			return LevelGovernment
		}
	}
	if zone, ok := strings.CutSuffix(s, "管理委员会"); ok {
		for _, z := range zoneSuffixes {
			if strings.HasSuffix(zone, z) {
				return LevelGovernment
			}
		}
		return LevelDepartment
	}
	for _, d := range deptSuffixes {
		if strings.HasSuffix(s, d) {
			return LevelDepartment
		}
	}
	return ""
}

// endsWithBody reports whether a normalised name ends like a body's.
func endsWithBody(s string) bool { return AgencyLevel(s) != "" }
