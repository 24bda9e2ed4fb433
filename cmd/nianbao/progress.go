package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// progressEvery is how often a run that is not on a terminal logs how far
// it is: often enough for an operator tailing a log, rarely enough not to
// fill it. A variable for the tests.
var progressEvery = 5 * time.Second

// meter shows how far a long run is: live bars on a terminal, a progress
// log line every progressEvery elsewhere (cron, CI, a pipe), nothing with
// -q. Its logger writes above the bars, so the two never garble each other.
type meter struct {
	log    *slog.Logger
	bars   *mpb.Progress // nil when not on a terminal
	mu     sync.Mutex
	gauges []*gauge
	stop   context.CancelFunc
	done   chan struct{}

	closeOnce sync.Once
}

// gauge is one quantity being counted towards a total.
type gauge struct {
	name  string
	total atomic.Int64
	n     atomic.Int64
	bytes bool
	bar   *mpb.Bar
	start time.Time
}

func (g *globals) newMeter(ctx context.Context) *meter {
	m := &meter{done: make(chan struct{})}
	f, isFile := g.stderr.(*os.File)
	tty := isFile && isatty.IsTerminal(f.Fd()) && g.logFormat == "text" && !g.quiet
	var logOut io.Writer = g.stderr
	if tty {
		m.bars = mpb.NewWithContext(ctx, mpb.WithOutput(g.stderr), mpb.WithWidth(40))
		logOut = m.bars
	}
	m.log = g.loggerTo(logOut)
	ctx, m.stop = context.WithCancel(ctx)
	if tty || g.quiet {
		close(m.done)
		return m
	}
	go m.tick(ctx)
	return m
}

// gauge adds a quantity to show; bytes makes it count in MiB.
func (m *meter) gauge(name string, total int64, bytes bool) *gauge {
	gg := &gauge{name: name, bytes: bytes, start: time.Now()}
	gg.total.Store(total)
	if m.bars != nil {
		counter := decor.CountersNoUnit("%d / %d", decor.WCSyncWidth)
		if bytes {
			counter = decor.Counters(decor.SizeB1024(0), "% .1f / % .1f", decor.WCSyncWidth)
		}
		gg.bar = m.bars.AddBar(total,
			mpb.PrependDecorators(decor.Name(name, decor.WCSyncSpaceR), counter),
			mpb.AppendDecorators(decor.Percentage(decor.WCSyncSpace), decor.Name(" ETA "), decor.EwmaETA(decor.ET_STYLE_GO, 30)))
	}
	m.mu.Lock()
	m.gauges = append(m.gauges, gg)
	m.mu.Unlock()
	return gg
}

// Add counts n more.
func (gg *gauge) Add(n int64) {
	if gg == nil {
		return
	}
	gg.n.Add(n)
	if gg.bar != nil {
		gg.bar.EwmaIncrInt64(n, time.Since(gg.start)/time.Duration(max(gg.n.Load(), 1)))
	}
}

// SetTotal changes what is counted towards, for totals found on the way.
func (gg *gauge) SetTotal(total int64) {
	if gg == nil {
		return
	}
	gg.total.Store(total)
	if gg.bar != nil {
		gg.bar.SetTotal(total, false)
	}
}

func (m *meter) tick(ctx context.Context) {
	defer close(m.done)
	t := time.NewTicker(progressEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			m.logProgress()
		}
	}
}

// logProgress writes one line with every gauge: done, total, rate, ETA.
func (m *meter) logProgress() {
	m.mu.Lock()
	defer m.mu.Unlock()
	var attrs []any
	for _, g := range m.gauges {
		n, total := g.n.Load(), g.total.Load()
		el := time.Since(g.start).Seconds()
		rate := float64(n) / max(el, 1e-9)
		attrs = append(attrs, slog.Group(g.name, "done", n, "of", total, "per_s", round1(rate)))
		if n > 0 && total > n {
			attrs = append(attrs, slog.String(g.name+".eta", (time.Duration(float64(total-n)/rate)*time.Second).Round(time.Second).String()))
		}
	}
	m.log.Info("progress", attrs...)
}

func round1(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }

// Close ends the bars (filling them) or the ticker; closing again does
// nothing.
func (m *meter) Close() {
	m.closeOnce.Do(m.close)
}

func (m *meter) close() {
	m.stop()
	<-m.done
	if m.bars != nil {
		m.mu.Lock()
		for _, g := range m.gauges {
			g.bar.SetTotal(g.n.Load(), true)
		}
		m.mu.Unlock()
		m.bars.Wait()
	}
}
