package viewer

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
)

// indexData is what the index loads first (data/index.js, and index.json
// its twin): the years, the statuses, and per province its counts and
// the shards holding its agencies.
type indexData struct {
	Years     []int             `json:"years"`
	Statuses  []statusJSON      `json:"statuses"`
	Levels    []string          `json:"levels"`
	Provinces []provinceJSON    `json:"provinces"`
	Counts    map[string][]int  `json:"counts_by_year"` // status -> count per year (Years order), then the unknown year
	Totals    map[string]int    `json:"totals"`
	Agencies  int               `json:"agencies"`
	Reports   int               `json:"reports"`
	AutoLoad  int               `json:"autoload_agencies"`
	Shards    map[string]string `json:"-"`
}

type statusJSON struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

type provinceJSON struct {
	Name     string         `json:"name"`
	Agencies int            `json:"agencies"`
	Counts   map[string]int `json:"counts"`
	Shards   []string       `json:"shards"`
}

// autoLoadAgencies is the number of agencies up to which the index shows
// them all at once; a larger dataset is shown a province at a time (or
// all, on a search), so its first load stays a few kilobytes.
const autoLoadAgencies = 3000

// shardRow is one agency in a shard: key, name, level and its cells,
// each [year (0 unknown), status, report page id, reports that year,
// flags].
type shardRow [4]any

// writeIndex writes index.html, data/index.js and the shards.
func (g *generator) writeIndex() error {
	d := indexData{Years: g.years, Counts: map[string][]int{}, Totals: map[string]int{}, Agencies: len(g.agencies), Reports: len(g.reports), AutoLoad: autoLoadAgencies}
	if d.Years == nil {
		d.Years = []int{}
	}
	for _, s := range statusOrder {
		d.Statuses = append(d.Statuses, statusJSON{s, statusLabels[s]})
		d.Counts[s] = make([]int, len(g.years)+1)
	}
	levels := map[string]bool{}
	var prov *provinceJSON
	var rows []shardRow
	flush := func() error {
		if len(rows) == 0 {
			return nil
		}
		name := "p" + strconv.Itoa(len(g.shards))
		g.shards = append(g.shards, name)
		b, err := json.Marshal(rows)
		if err != nil {
			return err
		}
		if err := g.writeFile("data/"+name+".js", fmt.Appendf(nil, "NB.shard(%q,%s);\n", name, b)); err != nil {
			return err
		}
		if err := g.writeFile("data/"+name+".json", append(b, '\n')); err != nil {
			return err
		}
		prov.Shards = append(prov.Shards, name)
		rows = nil
		return nil
	}
	for _, a := range g.sortedAgencies() {
		if prov == nil || prov.Name != a.province || len(rows) >= shardAgencies {
			if err := flush(); err != nil {
				return err
			}
			if prov == nil || prov.Name != a.province {
				d.Provinces = append(d.Provinces, provinceJSON{Name: a.province, Counts: map[string]int{}})
				prov = &d.Provinces[len(d.Provinces)-1]
			}
		}
		prov.Agencies++
		levels[a.level] = true
		byYear := map[int][]*report{}
		for _, r := range a.reports {
			if !r.row.IsCurrent {
				continue
			}
			y := 0
			if r.row.Year != nil {
				y = int(*r.row.Year)
			}
			byYear[y] = append(byYear[y], r)
		}
		var cells [][5]any
		for _, y := range slices.Sorted(func(yield func(int) bool) {
			for y := range byYear {
				if !yield(y) {
					return
				}
			}
		}) {
			rs := byYear[y]
			var flags []string
			for _, r := range rs {
				for _, fl := range r.flags {
					if !slices.Contains(flags, fl) {
						flags = append(flags, fl)
					}
				}
			}
			st := statusOf(flags)
			if flags == nil {
				flags = []string{}
			}
			page := rs[0].file[len("r/") : len(rs[0].file)-len(".html")]
			cells = append(cells, [5]any{y, st, page, len(rs), flags})
			yi := slices.Index(g.years, y)
			if yi < 0 {
				yi = len(g.years)
			}
			d.Counts[st][yi]++
			d.Totals[st]++
			prov.Counts[st]++
		}
		for yi, y := range g.years {
			if _, ok := byYear[y]; !ok {
				d.Counts[statusMissing][yi]++
				d.Totals[statusMissing]++
				prov.Counts[statusMissing]++
			}
		}
		if cells == nil {
			cells = [][5]any{}
		}
		rows = append(rows, shardRow{a.key, a.name, a.level, cells})
	}
	if err := flush(); err != nil {
		return err
	}
	d.Levels = slices.Sorted(func(yield func(string) bool) {
		for l := range levels {
			if !yield(l) {
				return
			}
		}
	})
	if d.Provinces == nil {
		d.Provinces = []provinceJSON{}
	}
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	if err := g.writeFile("data/index.js", fmt.Appendf(nil, "NB.index(%s);\n", b)); err != nil {
		return err
	}
	g.stats.IndexBytes += int64(len(b))
	if err := g.writeJSON("index.json", d); err != nil {
		return err
	}
	before := g.stats.Bytes
	if err := g.render("index.html", "index.tmpl", struct{ Root string }{""}); err != nil {
		return err
	}
	g.stats.IndexBytes += g.stats.Bytes - before
	return nil
}
