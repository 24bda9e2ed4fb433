package normalize

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/opengov-cn/nianbao/parse"
)

var (
	yearRe   = regexp.MustCompile(`(20[0-9]{2})\s*年度?`)
	reportRe = regexp.MustCompile(`(20[0-9]{2})\s*年度?\s*(.*?)\s*政府信息公开(工作)?年度?报告`)
	agencyRe = regexp.MustCompile(`^(.*?)\s*(20[0-9]{2})\s*年度?`)
)

// reportYearAgency finds the year a report covers and the body that
// publishes it, from the title and the lines around it.
func reportYearAgency(doc *parse.Document) (int, string) {
	// The title the parser chose comes first; then the lines above the
	// first table, as names (labels such as 标题： and Markdown markers off).
	lines := []string{doc.Title}
	for i, b := range doc.Blocks {
		if b.Table != nil || i > 40 {
			break
		}
		lines = append(lines, parse.HeadingText(b.Text))
	}
	year, agency := 0, ""
	for i, l := range lines {
		m := reportRe.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		if year == 0 {
			year, _ = strconv.Atoi(m[1])
		}
		if a := agencyRe.FindStringSubmatch(l); a != nil && strings.TrimSpace(a[1]) != "" {
			agency = strings.TrimSpace(a[1])
		} else if m[2] != "" {
			agency = m[2]
		} else if i > 1 && len([]rune(lines[i-1])) <= 30 {
			agency = lines[i-1] // the agency on its own line above the title
		}
		if agency != "" {
			break
		}
		// A title that names no agency: its line in the body may have the
		// agency above it.
	}
	if year == 0 {
		for _, l := range lines {
			if m := yearRe.FindStringSubmatch(l); m != nil {
				year, _ = strconv.Atoi(m[1])
				break
			}
		}
	}
	if a := doc.Meta["contentsource"]; agency == "" && a != "" {
		agency = a
	}
	return year, agency
}
