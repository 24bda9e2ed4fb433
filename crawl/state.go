package crawl

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // pure-Go SQLite driver, registered as "sqlite"
)

// A urlState is what the state database remembers about one URL.
type urlState struct {
	URL          string
	Site         string
	Kind         string // list, report, attachment
	PageURL      string // for attachments: the page linking to it
	Title        string
	Year         int
	PublishDate  string // YYYY-MM-DD
	Agency       string
	Status       FetchStatus
	HTTPStatus   int
	Error        string
	ETag         string
	LastModified string
	ContentType  string
	Size         int64
	SHA256       string // of the last good body
	Revision     int    // 1 for the first body seen, +1 per content change
	FetchedAt    time.Time
}

const schema = `
CREATE TABLE IF NOT EXISTS urls (
	url TEXT PRIMARY KEY,
	site TEXT NOT NULL,
	kind TEXT NOT NULL,
	page_url TEXT NOT NULL DEFAULT '',
	title TEXT NOT NULL DEFAULT '',
	year INTEGER NOT NULL DEFAULT 0,
	publish_date TEXT NOT NULL DEFAULT '',
	agency TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL,
	http_status INTEGER NOT NULL DEFAULT 0,
	error TEXT NOT NULL DEFAULT '',
	etag TEXT NOT NULL DEFAULT '',
	last_modified TEXT NOT NULL DEFAULT '',
	content_type TEXT NOT NULL DEFAULT '',
	size INTEGER NOT NULL DEFAULT 0,
	sha256 TEXT NOT NULL DEFAULT '',
	revision INTEGER NOT NULL DEFAULT 0,
	fetched_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS urls_site ON urls(site);
CREATE TABLE IF NOT EXISTS revisions (
	url TEXT NOT NULL,
	revision INTEGER NOT NULL,
	sha256 TEXT NOT NULL,
	size INTEGER NOT NULL,
	content_type TEXT NOT NULL,
	fetched_at INTEGER NOT NULL,
	PRIMARY KEY (url, revision)
);
CREATE TABLE IF NOT EXISTS runs (
	site TEXT PRIMARY KEY,
	started_at INTEGER NOT NULL,
	finished_at INTEGER NOT NULL DEFAULT 0
);
`

const urlColumns = `url, site, kind, page_url, title, year, publish_date, agency, status,
	http_status, error, etag, last_modified, content_type, size, sha256, revision, fetched_at`

// A stateDB is the crawl's SQLite state database.
type stateDB struct {
	db      *sql.DB
	path    string // absolute
	getStmt *sql.Stmt
	putStmt *sql.Stmt

	// The frontier's statements (frontier.go).
	frontierSeen, frontierVariants, frontierPush, frontierDone *sql.Stmt
	frontierDocs, frontierLists                                *sql.Stmt
}

// defaultBusyTimeout is how long a statement waits for a lock another
// connection holds, unless Config.BusyTimeout says otherwise.
const defaultBusyTimeout = 5 * time.Second

// openState opens (creating if need be) the state database at path. A
// crawl opens it exclusive: SQLite then keeps its lock for the whole run,
// which spares a lock round-trip per write and keeps a second crawl from
// using the same output directory at the same time. busy is how long a
// statement waits for a lock held elsewhere before it fails.
func openState(ctx context.Context, path string, exclusive bool, busy time.Duration) (*stateDB, error) {
	path, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	q := fmt.Sprintf("_pragma=busy_timeout(%d)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)", max(busy.Milliseconds(), 0))
	if exclusive {
		q = "_pragma=locking_mode(EXCLUSIVE)&" + q
	}
	dsn := (&url.URL{Scheme: "file", Path: path, RawQuery: q}).String()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("state %s: %w", path, err)
	}
	// One connection: SQLite writes are serial anyway, and this keeps
	// SQLITE_BUSY away.
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, schema+columnsSchema+frontierSchema); err != nil {
		db.Close()
		return nil, stateError(path, err)
	}
	if exclusive {
		// A write takes the lock now rather than at the first fetch.
		if _, err := db.ExecContext(ctx, `PRAGMA user_version = 1`); err != nil {
			db.Close()
			return nil, stateError(path, err)
		}
	}
	s := &stateDB{db: db, path: path}
	if s.getStmt, err = db.PrepareContext(ctx, `SELECT `+urlColumns+` FROM urls WHERE url = ?`); err == nil {
		s.putStmt, err = db.PrepareContext(ctx, `INSERT OR REPLACE INTO urls (`+urlColumns+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`)
	}
	if err == nil {
		err = s.prepareFrontier(ctx)
	}
	if err != nil {
		db.Close()
		return nil, stateError(path, err)
	}
	return s, nil
}

func (s *stateDB) Close() error { return s.db.Close() }

type scanner interface{ Scan(...any) error }

func scanState(r scanner) (*urlState, error) {
	var st urlState
	var status string
	var fetched int64
	err := r.Scan(&st.URL, &st.Site, &st.Kind, &st.PageURL, &st.Title, &st.Year, &st.PublishDate, &st.Agency,
		&status, &st.HTTPStatus, &st.Error, &st.ETag, &st.LastModified, &st.ContentType, &st.Size,
		&st.SHA256, &st.Revision, &fetched)
	if err != nil {
		return nil, err
	}
	st.Status = FetchStatus(status)
	st.FetchedAt = time.UnixMilli(fetched).UTC()
	return &st, nil
}

// get returns the state of u, or nil if u was never fetched.
func (s *stateDB) get(ctx context.Context, u string) (*urlState, error) {
	st, err := scanState(s.getStmt.QueryRowContext(ctx, u))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("state: %s: %w", u, err)
	}
	return st, nil
}

// put stores st; when newRevision is set it also records st's body as
// revision st.Revision, in the same transaction.
func (s *stateDB) put(ctx context.Context, st *urlState, newRevision bool) error {
	args := []any{st.URL, st.Site, st.Kind, st.PageURL, st.Title, st.Year, st.PublishDate, st.Agency,
		string(st.Status), st.HTTPStatus, st.Error, st.ETag, st.LastModified, st.ContentType, st.Size,
		st.SHA256, st.Revision, st.FetchedAt.UnixMilli()}
	if !newRevision {
		if _, err := s.putStmt.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("state: %s: %w", st.URL, err)
		}
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("state: %s: %w", st.URL, err)
	}
	defer tx.Rollback()
	if _, err := tx.StmtContext(ctx, s.putStmt).ExecContext(ctx, args...); err != nil {
		return fmt.Errorf("state: %s: %w", st.URL, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO revisions (url, revision, sha256, size, content_type, fetched_at) VALUES (?,?,?,?,?,?)`,
		st.URL, st.Revision, st.SHA256, st.Size, st.ContentType, st.FetchedAt.UnixMilli()); err != nil {
		return fmt.Errorf("state: %s: %w", st.URL, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("state: %s: %w", st.URL, err)
	}
	return nil
}

// startRun marks the start of a crawl of site and returns the time from
// which URLs count as fetched by this run. When the previous run of the
// site did not finish, that run is resumed: its start time is returned, so
// that nothing it fetched is fetched again.
func (s *stateDB) startRun(ctx context.Context, site string, now time.Time) (since time.Time, resumed bool, err error) {
	var started, finished int64
	err = s.db.QueryRowContext(ctx, `SELECT started_at, finished_at FROM runs WHERE site = ?`, site).Scan(&started, &finished)
	switch {
	case err == nil && finished < started:
		return time.UnixMilli(started), true, nil
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return time.Time{}, false, fmt.Errorf("state: %w", err)
	}
	// A fresh crawl of the site: an earlier run's frontier, if any is
	// left, is not this one's.
	if err := s.clearFrontier(ctx, site); err != nil {
		return time.Time{}, false, fmt.Errorf("state: %w", err)
	}
	_, err = s.db.ExecContext(ctx, `INSERT OR REPLACE INTO runs (site, started_at, finished_at) VALUES (?, ?, 0)`, site, now.UnixMilli())
	if err != nil {
		return time.Time{}, false, fmt.Errorf("state: %w", err)
	}
	return time.UnixMilli(now.UnixMilli()), false, nil
}

// finishRun marks the crawl of site as complete and deletes its
// frontier.
func (s *stateDB) finishRun(ctx context.Context, site string, now time.Time) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE runs SET finished_at = ? WHERE site = ?`, max(now.UnixMilli(), 1), site); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM frontier WHERE site = ?`, site); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	return nil
}
