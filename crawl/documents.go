package crawl

import (
	"context"
	"fmt"
	"os"
	"time"
)

// A Document is one version of a report page or attachment, or a start
// URL whose last fetch failed, as recorded in an output directory's state
// database.
type Document struct {
	URL  string
	Site string
	// Agency is the registry's name of the site's agency: the portal's
	// government, also for the reports of its departments.
	Agency string
	// Listed is the name of the department or township whose sub-column
	// listed the report on its site's portal or platform (县公安局,
	// 城关镇), as the page of sub-columns names it; "" for the site's own
	// column. Who published the report is the report's to say: Listed
	// only checks it (normalize.CheckListed).
	Listed string
	// Kind is "report" (an HTML report page), "attachment", or "start": a
	// start URL of the site whose last fetch failed, recorded so that a
	// site that yields nothing says why (Status and Error). A start record
	// has no body, title or revision; once fetched, the URL is no longer
	// one.
	Kind        string
	PageURL     string // for attachments: the page that links to it
	Title       string
	Year        int    // the year the report covers; 0 if unknown
	PublishDate string // YYYY-MM-DD; "" if unknown
	SHA256      string // of the body; "" if none was ever fetched
	Size        int64
	ContentType string
	// Status is the outcome of the last fetch (StatusNew, StatusChanged,
	// StatusUnchanged, StatusFailed, StatusBlocked, StatusTruncated) for the
	// current revision, and StatusSuperseded for earlier ones.
	Status     FetchStatus
	HTTPStatus int
	Error      string
	FetchedAt  time.Time // current revision: last fetch; earlier ones: when fetched
	Revision   int       // 1 for the first body, +1 per content change; 0 if none
}

// Documents returns every version of every report page and attachment
// recorded in the output directory dir, and the start URLs that could not
// be fetched, ordered by site, URL and revision. A national crawl records
// hundreds of thousands: EachDocument reads them one at a time.
func Documents(ctx context.Context, dir string) ([]Document, error) {
	var docs []Document
	err := EachDocument(ctx, dir, func(d *Document) error {
		docs = append(docs, *d)
		return nil
	})
	return docs, err
}

// EachDocument calls fn with each document Documents would return, in the
// same order, holding one at a time, and stops at fn's first error.
// Every string is valid UTF-8: the crawl records nothing else, and bytes
// that an older crawler left in the state database are replaced by U+FFFD
// here.
func EachDocument(ctx context.Context, dir string, fn func(*Document) error) error {
	path := StatePath(dir)
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("crawl: no crawl state in %s: %w", dir, err)
	}
	st, err := openState(ctx, path, false, defaultBusyTimeout)
	if err != nil {
		return err
	}
	defer st.Close()
	rows, err := st.db.QueryContext(ctx, `
		SELECT u.url, u.site, u.agency, u.kind, u.page_url, u.title, u.year, u.publish_date,
			COALESCE(r.sha256, u.sha256), COALESCE(r.size, u.size), COALESCE(r.content_type, u.content_type),
			CASE WHEN r.revision IS NULL OR r.revision = u.revision THEN u.status ELSE ? END,
			CASE WHEN r.revision IS NULL OR r.revision = u.revision THEN u.http_status ELSE 200 END,
			CASE WHEN r.revision IS NULL OR r.revision = u.revision THEN u.error ELSE '' END,
			CASE WHEN r.revision IS NULL OR r.revision = u.revision THEN u.fetched_at ELSE r.fetched_at END,
			COALESCE(r.revision, u.revision)
		FROM urls u LEFT JOIN revisions r ON r.url = u.url
		WHERE u.kind IN ('report', 'attachment')
		UNION ALL
		SELECT url, site, agency, kind, '', '', 0, '', '', 0, '', status, http_status, error, fetched_at, 0
		FROM urls WHERE kind = ?
		ORDER BY 2, 1, 16`, string(StatusSuperseded), kindStart)
	if err != nil {
		return fmt.Errorf("crawl: reading documents: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var d Document
		var status string
		var fetched int64
		if err := rows.Scan(&d.URL, &d.Site, &d.Agency, &d.Kind, &d.PageURL, &d.Title, &d.Year, &d.PublishDate,
			&d.SHA256, &d.Size, &d.ContentType, &status, &d.HTTPStatus, &d.Error, &fetched, &d.Revision); err != nil {
			return fmt.Errorf("crawl: reading documents: %w", err)
		}
		d.Status = FetchStatus(status)
		d.FetchedAt = time.UnixMilli(fetched).UTC()
		d.Site, d.Listed = splitSubSite(d.Site)
		for _, p := range []*string{&d.URL, &d.Site, &d.Listed, &d.Agency, &d.Kind, &d.PageURL, &d.Title, &d.PublishDate,
			&d.SHA256, &d.ContentType, (*string)(&d.Status), &d.Error} {
			*p, _ = validUTF8(*p)
		}
		if err := fn(&d); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("crawl: reading documents: %w", err)
	}
	return nil
}
