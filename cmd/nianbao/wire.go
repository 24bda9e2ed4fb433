package main

import "github.com/opengov-cn/nianbao/normalize"

// wireReport carries a report through gob (to and from worker processes,
// and in the cache of parsed reports). Gob flattens pointers and leaves
// zero values out, so a *float64 pointing at 0 would come back nil: a
// printed 0 would turn into a blank. The numbers therefore travel beside
// the report with explicit presence, and are put back on arrival.
type wireReport struct {
	Report *normalize.Report
	Values []optNum    // each cell's Value
	Sides  [][3]optNum // each check's LHS, RHS, Delta
}

// optNum is a number that may be absent.
type optNum struct {
	V   float64
	Set bool
}

func toOpt(p *float64) optNum {
	if p == nil {
		return optNum{}
	}
	return optNum{V: *p, Set: true}
}

func (o optNum) ptr() *float64 {
	if !o.Set {
		return nil
	}
	v := o.V
	return &v
}

func toWire(r *normalize.Report) wireReport {
	w := wireReport{Report: r, Values: make([]optNum, len(r.Cells)), Sides: make([][3]optNum, len(r.Checks))}
	for i, c := range r.Cells {
		w.Values[i] = toOpt(c.Value)
	}
	for i, c := range r.Checks {
		w.Sides[i] = [3]optNum{toOpt(c.LHS), toOpt(c.RHS), toOpt(c.Delta)}
	}
	return w
}

// report restores the numbers gob dropped.
func (w wireReport) report() *normalize.Report {
	r := w.Report
	if r == nil {
		return nil
	}
	for i := range r.Cells {
		if i < len(w.Values) {
			r.Cells[i].Value = w.Values[i].ptr()
		}
	}
	for i := range r.Checks {
		if i < len(w.Sides) {
			s := w.Sides[i]
			r.Checks[i].LHS, r.Checks[i].RHS, r.Checks[i].Delta = s[0].ptr(), s[1].ptr(), s[2].ptr()
		}
	}
	return r
}
