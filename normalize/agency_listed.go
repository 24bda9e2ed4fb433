package normalize

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/opengov-cn/nianbao/parse"
)

// CodeAgencyListed: the body a report prints is not the one whose
// sub-column listed it.
const CodeAgencyListed parse.Code = "agency.listed"

// CheckListed checks the agency of a report that a department's or
// township's sub-column of its government's portal listed (listed, the
// sub-column's name as the portal links it: 县公安局, 城关镇) against the
// name the report prints, after IdentifyAgency; registryAgency is the
// registry's name of the portal's government. The printed name wins: a
// disagreement is a warning (CodeAgencyListed), nothing more. A report
// that prints no name is the sub-column's body's, qualified by the
// places of the government (清河县 + 县公安局: 清河县公安局), rather than
// the government's. Nothing happens when listed is "".
func CheckListed(r *Report, registryAgency, listed string) {
	listed = CleanAgency(listed)
	if listed == "" {
		return
	}
	full := qualifyListed(listed, registryAgency)
	printed := CleanAgency(r.AgencyPrinted)
	if printed == "" {
		r.Agency = full
		r.AgencyID = agencyHash(NormalizeAgency(full))
		return
	}
	if listedAgrees(printed, listed, full) {
		return
	}
	r.Warnings = append(r.Warnings, parse.Warning{Code: CodeAgencyListed,
		Message: fmt.Sprintf("the report prints %s but was listed under %s", printed, listed)})
}

// qualifyListed puts the places of the government registryAgency names
// in front of a sub-column's name that lacks them: 县公安局 under
// 清河县人民政府 is 清河县公安局, 城关镇 is 清河县城关镇.
func qualifyListed(listed, registryAgency string) string {
	place := NormalizeAgency(registryAgency)
	for _, s := range []string{"人民政府", "管理委员会", "行政公署"} {
		place = strings.TrimSuffix(place, s)
	}
	if place == "" || place == NormalizeAgency(registryAgency) || strings.HasPrefix(listed, place) {
		return listed
	}
	for _, d := range divisions {
		if strings.HasPrefix(listed, d) && strings.HasSuffix(place, d) {
			return place + strings.TrimPrefix(listed, d)
		}
	}
	return place + listed
}

// listedAgrees says whether the printed name and a sub-column's (and
// its qualified form) name one body: the same body (SameAgency), the
// printed one the sub-column's with a suffix (城关镇 + 人民政府), or the
// printed one ending in the sub-column's name without its division
// (县公安局: …公安局).
func listedAgrees(printed, listed, full string) bool {
	p, l, f := NormalizeAgency(printed), NormalizeAgency(listed), NormalizeAgency(full)
	if SameAgency(p, f) || SameAgency(p, l) || strings.HasPrefix(p, f) || strings.HasPrefix(p, l) {
		return true
	}
	core := l
	for _, d := range divisions {
		if c, ok := strings.CutPrefix(l, d); ok {
			core = c
			break
		}
	}
	return utf8.RuneCountInString(core) >= 2 && strings.HasSuffix(p, core)
}
