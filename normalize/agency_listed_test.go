package normalize

import "testing"

func TestCheckListed(t *testing.T) {
	const gov = "清河县人民政府"
	for _, tc := range []struct {
		printed, listed string
		agency          string // after the check
		warn            bool
	}{
		{"清河县公安局", "县公安局", "清河县公安局", false},
		{"清河县城关镇人民政府", "城关镇", "清河县城关镇人民政府", false},
		{"清河县西坪街道办事处", "西坪街道", "清河县西坪街道办事处", false},
		{"清河县人民政府办公室", "县政府办公室", "清河县人民政府办公室", false},
		{"清河县卫生健康委员会", "县卫生健康委员会", "清河县卫生健康委员会", false},
		// The printed name wins; the disagreement is a warning.
		{"清河县教育局", "县公安局", "清河县教育局", true},
		{"清河县东山乡人民政府", "城关镇", "清河县东山乡人民政府", true},
		// Nothing printed: the sub-column's body, with the county's places.
		{"", "县公安局", "清河县公安局", false},
		{"", "城关镇", "清河县城关镇", false},
		// Not listed under a sub-column: nothing changes.
		{"清河县教育局", "", "清河县教育局", false},
	} {
		r := &Report{Agency: tc.printed, AgencyPrinted: tc.printed}
		if tc.printed == "" {
			r.Agency = "清河县人民政府" // what the crawl's registry name filled in
		}
		IdentifyAgency(r, gov)
		CheckListed(r, gov, tc.listed)
		warned := false
		for _, w := range r.Warnings {
			if w.Code == CodeAgencyListed {
				warned = true
			}
		}
		if r.Agency != tc.agency || warned != tc.warn || r.AgencyID != AgencyID("", tc.agency) {
			t.Errorf("printed %q listed %q: agency %q (id %s), warned %v; want %q, %v", tc.printed, tc.listed, r.Agency, r.AgencyID, warned, tc.agency, tc.warn)
		}
	}
}

// TestCheckListedParsed runs department reports as a county portal's
// sub-columns serve them through the pipeline: the agency comes from the
// report's own heading, and a report listed under another body's
// sub-column keeps its printed agency with a warning.
func TestCheckListedParsed(t *testing.T) {
	page := func(agency string) []byte {
		title := agency + "2023年政府信息公开工作年度报告"
		return []byte(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>` + title + `_清河县人民政府</title></head>
<body><h1>` + title + `</h1><p>本报告由` + agency + `编制。</p></body></html>`)
	}
	for _, tc := range []struct {
		printed, listed string
		warn            bool
	}{
		{"清河县公安局", "县公安局", false},
		{"清河县城关镇人民政府", "城关镇", false},
		{"清河县教育局", "县公安局", true},
	} {
		r := Process(t.Context(), Source{Path: "x.html"}, page(tc.printed))
		IdentifyAgency(r, "清河县人民政府")
		CheckListed(r, "清河县人民政府", tc.listed)
		warned := false
		for _, w := range r.Warnings {
			warned = warned || w.Code == CodeAgencyListed
		}
		if r.Agency != tc.printed || warned != tc.warn {
			t.Errorf("%s listed under %s: agency %q (printed %q), warned %v; want %v", tc.printed, tc.listed, r.Agency, r.AgencyPrinted, warned, tc.warn)
		}
	}
}
