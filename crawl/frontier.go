package crawl

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
)

// The frontier of a site: every URL its crawl has admitted, queued or
// done, lives in the frontier table of the state database, and only a
// small window of the queue is held in memory. The table is also the
// site's visited set (a URL is admitted once per run) and what an
// interrupted run resumes from: the next run takes up the URLs not done
// yet, in their order, and fetches none of those done again. A site's
// rows are deleted when its crawl finishes, and when a crawl of it starts
// afresh.
//
// Report pages and attachments are served first, newest first (a stack),
// so that a report's attachments follow it; list pages in the order found
// (a queue). In memory are the top of the stack and the head of the
// queue, each at most frontierWindow tasks; the rest are read back from
// the table a window at a time when the memory runs out.

// frontierWindow caps the tasks of each queue of a site held in memory.
// A site has Parallel workers (one by default), so a few tasks are enough
// to keep them busy; 64 spares a read of the table for most pops and, at
// a few hundred bytes a task, keeps 256 sites at once within a few
// megabytes whatever the number of URLs they queue.
const frontierWindow = 64

const frontierSchema = `
CREATE TABLE IF NOT EXISTS frontier (
	site TEXT NOT NULL,
	url TEXT NOT NULL,
	seq INTEGER NOT NULL,
	queue INTEGER NOT NULL,
	kind TEXT NOT NULL,
	depth INTEGER NOT NULL,
	hint TEXT NOT NULL DEFAULT '',
	from_url TEXT NOT NULL DEFAULT '',
	from_title TEXT NOT NULL DEFAULT '',
	from_date TEXT NOT NULL DEFAULT '',
	from_year INTEGER NOT NULL DEFAULT 0,
	has_from INTEGER NOT NULL DEFAULT 0,
	start INTEGER NOT NULL DEFAULT 0,
	qpath TEXT NOT NULL DEFAULT '',
	done INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (site, url)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS frontier_queue ON frontier(site, queue, done, seq);
CREATE INDEX IF NOT EXISTS frontier_qpath ON frontier(site, qpath) WHERE qpath != '';
`

// The two queues of a frontier.
const (
	queueDocs  = 0 // report pages and attachments: a stack
	queueLists = 1 // list pages: a queue
)

func queueOf(kind string) int {
	if kind == kindList {
		return queueLists
	}
	return queueDocs
}

// A frontier is one site's queue of URLs. Its methods are called with the
// site's lock held, except done.
type frontier struct {
	st   *stateDB
	site string

	seq int64 // of the last URL admitted

	// docs holds the top of the stack, in ascending seq; every queued
	// document whose seq is below docFloor is in the table only.
	docs     []task
	docFloor int64
	// lists holds the head of the queue; the queued lists whose seq is
	// above listCursor are in the table only.
	lists      []task
	listCursor int64

	queuedDocs, queuedLists int // in memory and in the table
}

func newFrontier(st *stateDB, site string) *frontier {
	return &frontier{st: st, site: site}
}

// queued is the number of URLs waiting, in memory or in the table.
func (fr *frontier) queued() int { return fr.queuedDocs + fr.queuedLists }

// window is the number of tasks held in memory.
func (fr *frontier) window() int { return len(fr.docs) + len(fr.lists) }

// seen reports whether u was admitted before in this run. A failing
// table counts as seen: the URL is not queued twice.
func (fr *frontier) seen(ctx context.Context, u string) (bool, error) {
	var one int
	err := fr.st.frontierSeen.QueryRowContext(ctx, fr.site, u).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return true, fmt.Errorf("frontier: %s: %w", u, err)
	}
	return true, nil
}

// variants counts the URLs with a query string admitted under path.
func (fr *frontier) variants(ctx context.Context, path string) (int, error) {
	var n int
	if err := fr.st.frontierVariants.QueryRowContext(ctx, fr.site, path).Scan(&n); err != nil {
		return 0, fmt.Errorf("frontier: %w", err)
	}
	return n, nil
}

// push queues t, whose URL is admitted; qpath is the URL's path if it has
// a query string.
func (fr *frontier) push(ctx context.Context, t task, qpath string) error {
	t.seq = fr.seq + 1
	var from pageMeta
	if t.from != nil {
		from = *t.from
	}
	q := queueOf(t.kind)
	if _, err := fr.st.frontierPush.ExecContext(ctx, fr.site, t.url, t.seq, q, t.kind, t.depth, t.hint,
		from.url, from.title, from.date, from.year, t.from != nil, t.start, qpath); err != nil {
		return fmt.Errorf("frontier: %s: %w", t.url, err)
	}
	fr.seq = t.seq
	if q == queueDocs {
		fr.queuedDocs++
		fr.docs = append(fr.docs, t)
		if len(fr.docs) > frontierWindow {
			// The bottom of the stack stays in the table.
			fr.docFloor = fr.docs[0].seq + 1
			fr.docs = slices.Delete(fr.docs, 0, 1)
		}
		return nil
	}
	if fr.queuedLists == len(fr.lists) && len(fr.lists) < frontierWindow {
		fr.lists = append(fr.lists, t)
		fr.listCursor = t.seq
	}
	fr.queuedLists++
	return nil
}

// pop takes the next task: the newest document, else the oldest list.
func (fr *frontier) pop(ctx context.Context) (task, bool, error) {
	if fr.queuedDocs > 0 {
		if len(fr.docs) == 0 {
			if err := fr.loadDocs(ctx); err != nil || len(fr.docs) == 0 {
				fr.queuedDocs = 0 // the table holds none after all: go on without
				return task{}, false, err
			}
		}
		n := len(fr.docs) - 1
		t := fr.docs[n]
		fr.docs[n] = task{}
		fr.docs = fr.docs[:n]
		fr.queuedDocs--
		return t, true, nil
	}
	if fr.queuedLists > 0 {
		if len(fr.lists) == 0 {
			if err := fr.loadLists(ctx); err != nil || len(fr.lists) == 0 {
				fr.queuedLists = 0
				return task{}, false, err
			}
		}
		t := fr.lists[0]
		fr.lists = slices.Delete(fr.lists, 0, 1)
		fr.queuedLists--
		return t, true, nil
	}
	return task{}, false, nil
}

// loadDocs reads the top of the stack's part in the table into memory.
func (fr *frontier) loadDocs(ctx context.Context) error {
	ts, err := fr.st.frontierTasks(ctx, fr.st.frontierDocs, fr.site, fr.docFloor)
	if err != nil {
		return err
	}
	slices.Reverse(ts) // read newest first
	fr.docs = ts
	if len(ts) > 0 {
		fr.docFloor = ts[0].seq
	}
	return nil
}

// loadLists reads the head of the queue's part in the table into memory.
func (fr *frontier) loadLists(ctx context.Context) error {
	ts, err := fr.st.frontierTasks(ctx, fr.st.frontierLists, fr.site, fr.listCursor)
	if err != nil {
		return err
	}
	fr.lists = ts
	if len(ts) > 0 {
		fr.listCursor = ts[len(ts)-1].seq
	}
	return nil
}

// done marks t's URL as done: an interrupted run is not to take it up.
func (fr *frontier) done(ctx context.Context, t task) error {
	if _, err := fr.st.frontierDone.ExecContext(ctx, fr.site, t.url); err != nil {
		return fmt.Errorf("frontier: %s: %w", t.url, err)
	}
	return nil
}

// A frontierRestore is what the table holds of a site's interrupted run.
type frontierRestore struct {
	admitted, documents int // URLs admitted, report pages and attachments among them
	done                int // of them done
	// starts are the start URLs done, with their recorded status.
	starts []startFailure
}

// restore takes up the frontier an interrupted run of the site left: the
// URLs not done are queued again, in their order.
func (fr *frontier) restore(ctx context.Context) (frontierRestore, error) {
	var r frontierRestore
	var maxSeq sql.NullInt64
	err := fr.st.db.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(kind != ?), 0), coalesce(sum(done), 0), max(seq) FROM frontier WHERE site = ?`,
		kindList, fr.site).Scan(&r.admitted, &r.documents, &r.done, &maxSeq)
	if err != nil {
		return r, fmt.Errorf("frontier: %w", err)
	}
	fr.seq = maxSeq.Int64
	fr.docFloor = fr.seq + 1
	fr.listCursor = 0
	if err := fr.st.db.QueryRowContext(ctx, `SELECT coalesce(sum(queue = ?), 0), coalesce(sum(queue = ?), 0) FROM frontier WHERE site = ? AND done = 0`,
		queueDocs, queueLists, fr.site).Scan(&fr.queuedDocs, &fr.queuedLists); err != nil {
		return r, fmt.Errorf("frontier: %w", err)
	}
	rows, err := fr.st.db.QueryContext(ctx, `SELECT f.url, coalesce(u.status, ''), coalesce(u.http_status, 0), coalesce(u.error, '')
		FROM frontier f LEFT JOIN urls u ON u.url = f.url WHERE f.site = ? AND f.start = 1 AND f.done = 1 ORDER BY f.seq`, fr.site)
	if err != nil {
		return r, fmt.Errorf("frontier: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s startFailure
		var status string
		if err := rows.Scan(&s.url, &status, &s.http, &s.text); err != nil {
			return r, fmt.Errorf("frontier: %w", err)
		}
		s.status = FetchStatus(status)
		r.starts = append(r.starts, s)
	}
	if err := rows.Err(); err != nil {
		return r, fmt.Errorf("frontier: %w", err)
	}
	return r, nil
}

// prepareFrontier prepares the frontier's statements.
func (s *stateDB) prepareFrontier(ctx context.Context) error {
	const cols = `url, seq, kind, depth, hint, from_url, from_title, from_date, from_year, has_from, start`
	for _, p := range []struct {
		stmt **sql.Stmt
		sql  string
	}{
		{&s.frontierSeen, `SELECT 1 FROM frontier WHERE site = ? AND url = ?`},
		{&s.frontierVariants, `SELECT count(*) FROM frontier WHERE site = ? AND qpath = ? AND qpath != ''`},
		{&s.frontierPush, `INSERT OR REPLACE INTO frontier (site, url, seq, queue, kind, depth, hint, from_url, from_title, from_date, from_year, has_from, start, qpath)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`},
		{&s.frontierDone, `UPDATE frontier SET done = 1 WHERE site = ? AND url = ?`},
		{&s.frontierDocs, `SELECT ` + cols + ` FROM frontier WHERE site = ? AND queue = 0 AND done = 0 AND seq < ? ORDER BY seq DESC LIMIT ` + fmt.Sprint(frontierWindow)},
		{&s.frontierLists, `SELECT ` + cols + ` FROM frontier WHERE site = ? AND queue = 1 AND done = 0 AND seq > ? ORDER BY seq LIMIT ` + fmt.Sprint(frontierWindow)},
	} {
		stmt, err := s.db.PrepareContext(ctx, p.sql)
		if err != nil {
			return err
		}
		*p.stmt = stmt
	}
	return nil
}

// frontierTasks reads a window of a site's frontier through q (one of
// frontierDocs, frontierLists) from seq.
func (s *stateDB) frontierTasks(ctx context.Context, q *sql.Stmt, site string, seq int64) ([]task, error) {
	rows, err := q.QueryContext(ctx, site, seq)
	if err != nil {
		return nil, fmt.Errorf("frontier: %w", err)
	}
	defer rows.Close()
	var out []task
	for rows.Next() {
		var t task
		var from pageMeta
		var hasFrom bool
		if err := rows.Scan(&t.url, &t.seq, &t.kind, &t.depth, &t.hint, &from.url, &from.title, &from.date, &from.year, &hasFrom, &t.start); err != nil {
			return nil, fmt.Errorf("frontier: %w", err)
		}
		if hasFrom {
			t.from = &from
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("frontier: %w", err)
	}
	return out, nil
}

// clearFrontier deletes the frontier of site.
func (s *stateDB) clearFrontier(ctx context.Context, site string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM frontier WHERE site = ?`, site); err != nil {
		return fmt.Errorf("frontier: %w", err)
	}
	return nil
}
