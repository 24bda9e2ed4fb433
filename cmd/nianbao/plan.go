package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite" // pure-Go SQLite driver, registered as "sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/opengov-cn/nianbao/crawl"
	"github.com/opengov-cn/nianbao/normalize"
)

// A plan is what a build knows of each of its documents, kept in an SQLite
// database beside the report cache rather than in memory: a national run
// has hundreds of thousands of documents, and the only state the build
// holds for all of them at once is four bytes each while it groups them
// (build.groups). It holds:
//   - entries: what grouping needs of each cached report (indexEntry), by
//     body sha256; kept from run to run like the cache itself;
//   - ins: this run's inputs (files, crawl records), in the order given;
//   - docs: one row per distinct body (or unreadable file), in the order of
//     its first input, with what the grouping found.
type plan struct {
	db   *sql.DB
	path string
}

// planFile is the plan's database in the report cache's directory.
const planFile = "index.db"

const planSchema = `
CREATE TABLE IF NOT EXISTS entries (
	sha TEXT PRIMARY KEY,
	agency TEXT NOT NULL,
	agency_printed TEXT NOT NULL,
	status TEXT NOT NULL,
	year INTEGER NOT NULL
) WITHOUT ROWID;
DROP TABLE IF EXISTS ins;
DROP TABLE IF EXISTS docs;
DROP TABLE IF EXISTS keys;
CREATE TABLE ins (
	seq INTEGER PRIMARY KEY,
	input INTEGER NOT NULL,
	doc INTEGER NOT NULL DEFAULT -1,
	sha TEXT NOT NULL,
	path TEXT NOT NULL,
	crawled INTEGER NOT NULL,
	url TEXT NOT NULL,
	kind TEXT NOT NULL,
	page_url TEXT NOT NULL,
	site TEXT NOT NULL,
	listed TEXT NOT NULL,
	agency TEXT NOT NULL,
	title TEXT NOT NULL,
	year INTEGER NOT NULL,
	publish_date TEXT NOT NULL,
	fetched_at INTEGER NOT NULL,
	revision INTEGER NOT NULL,
	superseded_by TEXT NOT NULL DEFAULT '',
	wrapper INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE docs (
	pos INTEGER PRIMARY KEY,
	first INTEGER NOT NULL UNIQUE,
	sha TEXT NOT NULL,
	todo INTEGER NOT NULL DEFAULT 0,
	report BLOB,
	head INTEGER NOT NULL DEFAULT 0,
	agency_id TEXT NOT NULL DEFAULT '',
	year INTEGER NOT NULL DEFAULT 0,
	current INTEGER NOT NULL DEFAULT 0,
	crowd_same INTEGER NOT NULL DEFAULT 0,
	crowd_prev INTEGER NOT NULL DEFAULT 0,
	grp INTEGER NOT NULL DEFAULT 0,
	gsize INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE keys (key TEXT NOT NULL, pos INTEGER NOT NULL);
`

// openPlan opens the plan in dir, emptied of any earlier run's inputs. A
// damaged database (a machine that went down mid-run: the plan is written
// without syncing) is removed and made anew: what it keeps from run to run
// is made again from the cached reports. Other errors (an interrupt, a
// lock) leave it as it is.
func openPlan(ctx context.Context, dir string) (*plan, error) {
	path := filepath.Join(dir, planFile)
	p, err := openPlanAt(ctx, path)
	if err != nil && ctx.Err() == nil && planDamaged(err) {
		for _, suffix := range []string{"", "-journal", "-wal", "-shm"} {
			os.Remove(path + suffix)
		}
		p, err = openPlanAt(ctx, path)
	}
	if err != nil {
		return nil, fmt.Errorf("build plan %s: %w", path, err)
	}
	return p, nil
}

// errPlanDamaged is openPlanAt's error when SQLite's check of the
// database finds it damaged.
var errPlanDamaged = errors.New("damaged")

func planDamaged(err error) bool {
	var e *sqlite.Error
	if errors.As(err, &e) {
		switch e.Code() & 0xff { // the primary code of an extended one
		case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
			return true
		}
	}
	return errors.Is(err, errPlanDamaged)
}

func openPlanAt(ctx context.Context, path string) (*plan, error) {
	// One connection: the build's steps take turns, and temporary tables
	// live on it. Durability is not needed: after a crash, the run starts
	// over from the inputs and the cached reports.
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(TRUNCATE)&_pragma=synchronous(OFF)&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	// A damaged page of entries would fail every run from here on: the
	// check reads every page (some milliseconds for 100k reports).
	var check string
	if err := db.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&check); err != nil || check != "ok" {
		db.Close()
		if err == nil {
			err = fmt.Errorf("%w: %s", errPlanDamaged, check)
		}
		return nil, err
	}
	if _, err := db.ExecContext(ctx, planSchema); err != nil {
		db.Close()
		return nil, err
	}
	return &plan{db: db, path: path}, nil
}

func (p *plan) Close() error { return p.db.Close() }

// planAdder adds inputs to a plan in one transaction.
type planAdder struct {
	tx   *sql.Tx
	stmt *sql.Stmt
	n    int // inputs that are bodies to report on
}

func (p *plan) adder(ctx context.Context) (*planAdder, error) {
	tx, err := p.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO ins (input, sha, path, crawled, url, kind, page_url, site, listed, agency, title,
		year, publish_date, fetched_at, revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		tx.Rollback()
		return nil, err
	}
	return &planAdder{tx: tx, stmt: stmt}, nil
}

// file adds a file to report on, hashing it ("" if it cannot be read).
func (a *planAdder) file(ctx context.Context, path string) error {
	a.n++
	_, err := a.stmt.ExecContext(ctx, 1, fileSHA256(path), path, 0, "", "", "", "", "", "", "", 0, "", 0, 0)
	return err
}

// crawled adds a crawl's record of a document. The records without a body
// (failed fetches, start URLs) are not reported on but still tell which
// pages link to an attachment.
func (a *planAdder) crawled(ctx context.Context, dir string, d *crawl.Document) error {
	input, path := 0, ""
	if d.SHA256 != "" {
		input, path = 1, crawl.ArchivePath(dir, d.SHA256)
		a.n++
	}
	_, err := a.stmt.ExecContext(ctx, input, d.SHA256, path, 1, d.URL, d.Kind, d.PageURL, d.Site, d.Listed, d.Agency, d.Title,
		d.Year, d.PublishDate, d.FetchedAt.UnixMilli(), d.Revision)
	return err
}

// done commits the inputs added.
func (a *planAdder) done() error {
	a.stmt.Close()
	return a.tx.Commit()
}

// prepare makes the docs of the inputs added: one per distinct body (and
// one per unreadable file), in the order of its first input. Every version
// of a URL but its latest is marked superseded by it, and a page that
// links to an attachment is marked a wrapper.
func (p *plan) prepare(ctx context.Context) error {
	return p.exec(ctx,
		`CREATE INDEX ins_sha ON ins(sha)`,
		`CREATE INDEX ins_url ON ins(url, revision)`,
		`CREATE INDEX ins_page ON ins(page_url) WHERE kind = 'attachment'`,
		`UPDATE ins SET wrapper = 1 WHERE crawled = 1 AND kind != 'attachment' AND url IN
			(SELECT page_url FROM ins WHERE kind = 'attachment' AND page_url != '')`,
		// The latest version of a URL is its last revision that has a body.
		`UPDATE ins SET superseded_by = COALESCE(substr((SELECT l.sha FROM ins l
			WHERE l.url = ins.url AND l.input = 1 ORDER BY l.revision DESC, l.seq LIMIT 1), 1, 16), '')
			WHERE crawled = 1 AND input = 1`,
		`UPDATE ins SET superseded_by = '' WHERE superseded_by = substr(sha, 1, 16)`,
		`INSERT INTO docs (pos, first, sha)
			SELECT ROW_NUMBER() OVER (ORDER BY first) - 1, first, sha FROM (
				SELECT MIN(seq) AS first, sha FROM ins WHERE input = 1 AND sha != '' GROUP BY sha
				UNION ALL SELECT seq, '' FROM ins WHERE input = 1 AND sha = '')`,
		`CREATE INDEX docs_sha ON docs(sha)`,
		`UPDATE ins SET doc = (SELECT pos FROM docs WHERE docs.sha = ins.sha) WHERE input = 1 AND sha != ''`,
		`UPDATE ins SET doc = (SELECT pos FROM docs WHERE docs.first = ins.seq) WHERE input = 1 AND sha = ''`,
		`CREATE INDEX ins_doc ON ins(doc)`,
	)
}

func (p *plan) exec(ctx context.Context, stmts ...string) error {
	for _, s := range stmts {
		if _, err := p.db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("build plan: %w (in %.60s…)", err, strings.Join(strings.Fields(s), " "))
		}
	}
	return nil
}

func (p *plan) count(ctx context.Context, query string) (int, error) {
	var n int
	err := p.db.QueryRowContext(ctx, query).Scan(&n)
	return n, err
}

// planPage is how many docs are read from the plan at a time.
const planPage = 256

// docs yields the docs that match where (an SQL condition on docs d and
// entries e), in the order of order ("pos", or "grp, pos"), with their
// inputs, their report if they have no body and their index entry if the
// plan has one. It reads a page at a time and holds no query open while
// the caller works, so the caller may write to the plan.
func (p *plan) docs(ctx context.Context, where, order string) iter.Seq2[*doc, error] {
	return func(yield func(*doc, error) bool) {
		var afterGrp, afterPos int64 = -1, -1
		for {
			page, err := p.page(ctx, where, order, afterGrp, afterPos)
			if err == nil {
				err = p.loadInputs(ctx, page)
			}
			if err != nil {
				yield(nil, fmt.Errorf("build plan: %w", err))
				return
			}
			for _, d := range page {
				if !yield(d, nil) {
					return
				}
			}
			if len(page) < planPage {
				return
			}
			last := page[len(page)-1]
			afterPos = last.pos
			if order != "pos" {
				afterGrp = last.grp
			}
		}
	}
}

func (p *plan) page(ctx context.Context, where, order string, afterGrp, afterPos int64) ([]*doc, error) {
	after := "d.pos > ?2"
	if order != "pos" {
		after = "(d.grp, d.pos) > (?1, ?2)"
	}
	rows, err := p.db.QueryContext(ctx, `SELECT d.pos, d.sha, d.report, d.head, d.agency_id, d.year, d.crowd_same, d.crowd_prev, d.grp, d.gsize,
			e.sha IS NOT NULL, COALESCE(e.agency, ''), COALESCE(e.agency_printed, ''), COALESCE(e.status, ''), COALESCE(e.year, 0)
		FROM docs d LEFT JOIN entries e ON e.sha = d.sha AND d.sha != ''
		WHERE `+after+` AND (`+where+`) ORDER BY `+order+` LIMIT ?3`, afterGrp, afterPos, planPage)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var page []*doc
	for rows.Next() {
		d := &doc{}
		var status string
		if err := rows.Scan(&d.pos, &d.sha, &d.uncached, &d.head, &d.agencyID, &d.year, &d.crowdSame, &d.crowdPrev, &d.grp, &d.gsize,
			&d.indexed, &d.entry.Agency, &d.entry.AgencyPrinted, &status, &d.entry.Year); err != nil {
			return nil, err
		}
		d.entry.Status = normalize.Status(status)
		page = append(page, d)
	}
	return page, rows.Err()
}

// loadInputs reads the inputs of the docs of a page, a current one first.
func (p *plan) loadInputs(ctx context.Context, page []*doc) error {
	if len(page) == 0 {
		return nil
	}
	at := make(map[int64]*doc, len(page))
	ids := make([]string, len(page))
	for i, d := range page {
		at[d.pos] = d
		ids[i] = strconv.FormatInt(d.pos, 10)
	}
	rows, err := p.db.QueryContext(ctx, `SELECT doc, sha, path, crawled, url, kind, page_url, site, listed, agency, title,
			year, publish_date, fetched_at, revision, superseded_by, wrapper
		FROM ins WHERE input = 1 AND doc IN (`+strings.Join(ids, ",")+`) ORDER BY doc, superseded_by != '', seq`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var pos, fetched int64
		var crawled bool
		var in input
		var c crawl.Document
		if err := rows.Scan(&pos, &in.sha256, &in.path, &crawled, &c.URL, &c.Kind, &c.PageURL, &c.Site, &c.Listed, &c.Agency, &c.Title,
			&c.Year, &c.PublishDate, &fetched, &c.Revision, &in.supersededBy, &in.wrapper); err != nil {
			return err
		}
		if crawled {
			c.SHA256, c.FetchedAt = in.sha256, time.UnixMilli(fetched).UTC()
			in.crawled = &c
		}
		d := at[pos]
		d.ins = append(d.ins, in)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, d := range page {
		if len(d.ins) == 0 {
			return errors.New("a document without input")
		}
	}
	return nil
}

// planBatch is how many updates to the plan are sent in one transaction.
const planBatch = 256

// batch gathers updates to the plan and sends them a transaction at a
// time.
type batch struct {
	p    *plan
	stmt string
	args [][]any
}

func (p *plan) batch(stmt string) *batch { return &batch{p: p, stmt: stmt} }

func (b *batch) add(ctx context.Context, args ...any) error {
	b.args = append(b.args, args)
	if len(b.args) < planBatch {
		return nil
	}
	return b.flush(ctx)
}

func (b *batch) flush(ctx context.Context) error {
	if len(b.args) == 0 {
		return nil
	}
	tx, err := b.p.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("build plan: %w", err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, b.stmt)
	if err != nil {
		return fmt.Errorf("build plan: %w", err)
	}
	defer stmt.Close()
	for _, a := range b.args {
		if _, err := stmt.ExecContext(ctx, a...); err != nil {
			return fmt.Errorf("build plan: %w", err)
		}
	}
	clear(b.args)
	b.args = b.args[:0]
	return tx.Commit()
}
