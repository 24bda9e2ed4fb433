package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opengov-cn/nianbao/crawl"
	"github.com/opengov-cn/nianbao/normalize"
)

// TestPlanGroups gives a plan a crawl's records and checks what it makes
// of them: one doc per body, the versions of a URL superseded by the
// latest, the pages that link to an attachment marked, and groups that
// join one agency's reports and one URL's versions, transitively.
func TestPlanGroups(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	p, err := openPlan(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	sha := func(c byte) string { return strings.Repeat(string(c), 64) }
	records := []crawl.Document{
		{URL: "u1", Kind: "report", SHA256: sha('a'), Revision: 1},
		{URL: "u1", Kind: "report", SHA256: sha('b'), Revision: 2},
		{URL: "u2", Kind: "report", SHA256: sha('c'), Revision: 1},
		{URL: "u3", Kind: "report", SHA256: sha('d'), Revision: 1},
		{URL: "u4", Kind: "attachment", PageURL: "u3", SHA256: sha('a'), Revision: 1}, // a's bytes again
		{URL: "u5", Kind: "report", SHA256: sha('e'), Revision: 1, Listed: "县公安局"},
		{URL: "u6", Kind: "attachment", PageURL: "u5", Status: crawl.StatusFailed}, // no body
	}
	a, err := p.adder(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range records {
		if err := a.crawled(ctx, dir, &records[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.done(); err != nil {
		t.Fatal(err)
	}
	if a.n != 6 {
		t.Errorf("%d inputs, want 6", a.n)
	}
	if err := p.prepare(ctx); err != nil {
		t.Fatal(err)
	}
	// The reports: a and b are versions of u1 by two names; c shares b's
	// agency; d and e stand alone.
	agencies := map[byte]string{'a': "甲县人民政府", 'b': "乙县人民政府", 'c': "乙县人民政府", 'd': "丙县人民政府", 'e': "丁县人民政府"}
	entries := p.batch(`INSERT INTO entries (sha, agency, agency_printed, status, year) VALUES (?, ?, '', ?, 2023)`)
	for c, agency := range agencies {
		if err := entries.add(ctx, sha(c), agency, string(normalize.StatusOK)); err != nil {
			t.Fatal(err)
		}
	}
	if err := entries.flush(ctx); err != nil {
		t.Fatal(err)
	}
	b := &build{plan: p}
	if err := b.groups(ctx); err != nil {
		t.Fatal(err)
	}
	got := map[byte]*doc{}
	var order []byte
	for d, err := range p.docs(ctx, "1", "d.grp, d.pos") {
		if err != nil {
			t.Fatal(err)
		}
		got[d.sha[0]] = d
		order = append(order, d.sha[0])
	}
	if string(order) != "abcde" {
		t.Errorf("docs in group order %q, want abcde", order)
	}
	// a is current at u4: that is the input it is reported under.
	if g := got['a']; len(g.ins) != 2 || g.ins[0].crawled.URL != "u4" || g.ins[1].crawled.URL != "u1" {
		t.Errorf("a's inputs: %+v", g.ins)
	}
	if s := got['a'].ins[1].supersededBy; s != reportID(sha('b')) {
		t.Errorf("u1's first version superseded by %q, want b's id", s)
	}
	if s := got['b'].ins[0].supersededBy; s != "" {
		t.Errorf("u1's latest version superseded by %q", s)
	}
	if l := got['e'].primary().crawled.Listed; l != "县公安局" {
		t.Errorf("e listed under %q, want its sub-column's name", l)
	}
	for c, want := range map[byte]bool{'a': false, 'd': true, 'e': true} {
		if got[c].wrapper() != want {
			t.Errorf("%c: wrapper %v, want %v", c, got[c].wrapper(), want)
		}
	}
	for c, want := range map[byte]int{'a': 3, 'b': 3, 'c': 3, 'd': 1, 'e': 1} {
		if g := got[c]; g.gsize != want || want == 3 && g.grp != got['a'].pos {
			t.Errorf("%c: group %d of %d, want a's group of %d", c, g.grp, g.gsize, want)
		}
	}
}

// TestPlanDamaged checks that a plan whose database is damaged (a page of
// its index entries overwritten, or not a database at all) is made anew
// rather than failing every run, and that an interrupted open leaves it
// as it was.
func TestPlanDamaged(t *testing.T) {
	ctx := t.Context()
	var root, pageSize int64 // of the entries' table
	fill := func(t *testing.T, dir string) {
		p, err := openPlan(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		if err := p.db.QueryRowContext(ctx, `SELECT rootpage FROM sqlite_master WHERE name = 'entries'`).Scan(&root); err != nil {
			t.Fatal(err)
		}
		if err := p.db.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&pageSize); err != nil {
			t.Fatal(err)
		}
		b := p.batch(`INSERT INTO entries (sha, agency, agency_printed, status, year) VALUES (?, '某县人民政府', '', 'ok', 2023)`)
		for i := range 5000 {
			if err := b.add(ctx, fmt.Sprintf("%064d", i)); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	entries := func(t *testing.T, dir string) int {
		p, err := openPlan(ctx, dir)
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		defer p.Close()
		n, err := p.count(ctx, `SELECT COUNT(*) FROM entries`)
		if err != nil {
			t.Fatalf("reading entries: %v", err)
		}
		return n
	}
	damage := map[string]func(path string) error{
		"the entries' root page overwritten": func(path string) error {
			f, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.WriteAt(bytes.Repeat([]byte{0xA5}, int(pageSize)), (root-1)*pageSize)
			return err
		},
		"not a database": func(path string) error { return os.WriteFile(path, bytes.Repeat([]byte("x"), 8192), 0o644) },
	}
	for name, spoil := range damage {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			fill(t, dir)
			if err := spoil(filepath.Join(dir, planFile)); err != nil {
				t.Fatal(err)
			}
			if n := entries(t, dir); n != 0 {
				t.Errorf("%d entries read from a damaged plan", n)
			}
		})
	}
	t.Run("interrupted", func(t *testing.T) {
		dir := t.TempDir()
		fill(t, dir)
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		if p, err := openPlan(cancelled, dir); err == nil {
			p.Close()
		}
		if n := entries(t, dir); n != 5000 {
			t.Errorf("%d entries after an interrupted open, want the 5000 kept", n)
		}
	})
}
