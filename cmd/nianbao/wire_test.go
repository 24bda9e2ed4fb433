package main

import (
	"bytes"
	"encoding/gob"
	"testing"

	"github.com/opengov-cn/nianbao/normalize"
)

// TestWireKeepsZeros sends a report with printed zeros, blanks and
// numbers through gob the way workers and the cache do: a 0 must stay a
// 0 and a blank a blank.
func TestWireKeepsZeros(t *testing.T) {
	zero, one, neg := 0.0, 1.0, -2.5
	r := &normalize.Report{ID: "x", Cells: []normalize.Cell{
		{Table: normalize.T3, Row: "new_received", Col: "total", Value: &zero},
		{Table: normalize.T3, Row: "carried_over", Col: "total"},
		{Table: normalize.T3, Row: "carried_forward", Col: "total", Value: &one},
		{Table: normalize.T2, Row: "art20_5.licensing", Col: "change", Value: &neg},
	}, Checks: []normalize.Check{{ID: "c", LHS: &zero, RHS: &one, Delta: &neg}, {ID: "d"}}}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(toWire(r)); err != nil {
		t.Fatal(err)
	}
	var w wireReport
	if err := gob.NewDecoder(&buf).Decode(&w); err != nil {
		t.Fatal(err)
	}
	got := w.report()
	want := []*float64{&zero, nil, &one, &neg}
	for i, c := range got.Cells {
		if (c.Value == nil) != (want[i] == nil) || c.Value != nil && *c.Value != *want[i] {
			t.Errorf("cell %s: got %v, want %v", c.Key(), fmtVal(c.Value), fmtVal(want[i]))
		}
	}
	c := got.Checks[0]
	if c.LHS == nil || *c.LHS != 0 || c.RHS == nil || *c.RHS != 1 || c.Delta == nil || *c.Delta != -2.5 {
		t.Errorf("check sides: %v %v %v", fmtVal(c.LHS), fmtVal(c.RHS), fmtVal(c.Delta))
	}
	if d := got.Checks[1]; d.LHS != nil || d.RHS != nil || d.Delta != nil {
		t.Errorf("absent sides came back: %+v", d)
	}
}
