package crawl

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"
)

// SiteHealth is what the crawl state says of one site of a registry, for
// the operators of a scheduled crawl: did it answer, where are its reports
// listed and how is that known, how many reports of which years were
// found, and when did a run last get through it.
type SiteHealth struct {
	Site, Agency, Level, Code string
	Path                      string // the registry's 省/市/县 name path, "" when unknown
	// Reachable: a page of the site answered (2xx or 304) in its last run.
	Reachable bool
	// Column is where the reports are listed: the first start URL a
	// curated site gives, or the best column discovery found; ColumnHow
	// says how it is known ("given", or discovery's "meta", "list",
	// "meta+list"; "" when discovery found none) and Confidence how sure
	// discovery is (1 for a given one).
	Column, ColumnHow string
	Confidence        float64
	// Reports counts the report pages and attachments with a body;
	// ReportsByYear the same by the year they cover (0: not known).
	Reports       int
	ReportsByYear map[int]int
	// LastFinished is when a run last got to the end of the site; zero
	// when none did. LastError is the error of a start URL that could not
	// be fetched, "" when none.
	LastFinished time.Time
	LastError    string
}

// Health returns the health of every site of reg from the crawl state in
// dir, in the registry's order.
func Health(ctx context.Context, dir string, reg *Registry) ([]SiteHealth, error) {
	path := StatePath(dir)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("crawl: no crawl state in %s: %w", dir, err)
	}
	st, err := openState(ctx, path, false, defaultBusyTimeout)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	out := make([]SiteHealth, 0, len(reg.Sites))
	for i := range reg.Sites {
		h, err := st.health(ctx, &reg.Sites[i])
		if err != nil {
			return nil, fmt.Errorf("crawl: health of %s: %w", reg.Sites[i].Name, err)
		}
		out = append(out, h)
	}
	return out, nil
}

func (s *stateDB) health(ctx context.Context, site *Site) (SiteHealth, error) {
	h := SiteHealth{Site: site.Name, Agency: site.Agency, Level: site.Level, Code: site.Code, Path: site.Path, ReportsByYear: map[int]int{}}
	if !site.Discover && len(site.Start) > 0 {
		h.Column, h.ColumnHow, h.Confidence = site.Start[0], "given", 1
	} else if cols, err := s.rememberedColumns(ctx, site.Name); err != nil {
		return h, err
	} else if len(cols) > 0 {
		h.Column, h.ColumnHow, h.Confidence = cols[0].URL, cols[0].How, cols[0].Confidence
	}
	var started, finished int64
	err := s.db.QueryRowContext(ctx, `SELECT started_at, finished_at FROM runs WHERE site = ?`, site.Name).Scan(&started, &finished)
	if errors.Is(err, sql.ErrNoRows) {
		return h, nil // never crawled: nothing more is known
	}
	if err != nil {
		return h, err
	}
	if finished > 0 {
		h.LastFinished = time.UnixMilli(finished).UTC()
	}
	var answered int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM urls WHERE site = ? AND fetched_at >= ? AND (http_status BETWEEN 200 AND 299 OR http_status = 304)`,
		site.Name, started).Scan(&answered); err != nil {
		return h, err
	}
	h.Reachable = answered > 0
	// The site's reports and those of its sub-columns' runs (platform.go).
	sub := site.Name + subSiteSep
	rows, err := s.db.QueryContext(ctx, `SELECT year, count(*) FROM urls WHERE (site = ? OR substr(site, 1, ?) = ?) AND kind IN (?, ?) AND sha256 != '' GROUP BY year`,
		site.Name, len(sub), sub, kindReport, kindAttachment)
	if err != nil {
		return h, err
	}
	defer rows.Close()
	for rows.Next() {
		var y, n int
		if err := rows.Scan(&y, &n); err != nil {
			return h, err
		}
		h.ReportsByYear[y] = n
		h.Reports += n
	}
	if err := rows.Err(); err != nil {
		return h, err
	}
	err = s.db.QueryRowContext(ctx, `SELECT error FROM urls WHERE site = ? AND kind = ? AND error != '' ORDER BY fetched_at DESC LIMIT 1`,
		site.Name, kindStart).Scan(&h.LastError)
	if err != nil {
		h.LastError = ""
	}
	return h, nil
}
