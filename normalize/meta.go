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

// detectTemplate tells the template version from the columns and rows a
// report prints, never from its year.
func detectTemplate(cells []Cell) string {
	votes := map[string]int{}
	seen := map[string]bool{}
	for _, c := range cells {
		for _, k := range []string{c.Table + "/col/" + c.Col, c.Table + "/row/" + baseRow(c.Row)} {
			if seen[k] {
				continue
			}
			seen[k] = true
			if t := templateOf(k); t != "" {
				votes[t]++
			}
		}
	}
	switch {
	case votes[Template2019] > votes[Template2021]:
		return Template2019
	case votes[Template2021] > votes[Template2019]:
		return Template2021
	}
	return TemplateUnknown
}

func baseRow(row string) string {
	if i := strings.IndexByte(row, '['); i >= 0 {
		return row[:i]
	}
	return row
}

func templateOf(k string) string {
	parts := strings.SplitN(k, "/", 3)
	if parts[1] == "col" {
		for _, c := range Cols {
			if c.Table == parts[0] && c.Key == parts[2] {
				return c.Templates
			}
		}
		return ""
	}
	for _, r := range Rows {
		if r.Table == parts[0] && r.Key == parts[2] {
			return r.Templates
		}
	}
	return ""
}
