package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/v2"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Exit codes, as documented in 'nianbao help' and the README.
const (
	exitOK     = 0 // the run did its work; flags in the data are data
	exitFailed = 1 // the run itself failed or produced nothing
	exitUsage  = 2 // the command line was wrong
)

// exitError carries the exit code a command's error should end with.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErrorf is a command-line mistake: exit 2.
func usageErrorf(format string, args ...any) error {
	return &exitError{exitUsage, fmt.Errorf(format, args...)}
}

// failedf is a run that failed or produced nothing: exit 1.
func failedf(format string, args ...any) error {
	return &exitError{exitFailed, fmt.Errorf(format, args...)}
}

// globals are the flags every command has.
type globals struct {
	config    string
	logFormat string
	quiet     bool
	stdout    io.Writer
	stderr    io.Writer
}

// logger is the structured log of a run, on stderr: text or JSON; -q
// keeps errors only.
func (g *globals) logger() *slog.Logger { return g.loggerTo(g.stderr) }

func (g *globals) loggerTo(w io.Writer) *slog.Logger {
	level := slog.LevelInfo
	if g.quiet {
		level = slog.LevelError
	}
	opts := &slog.HandlerOptions{Level: level}
	if g.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// version is nianbao's version: set at link time (-ldflags "-X
// main.version=v1.2.3"), else the module version and VCS revision the
// build recorded.
var version = ""

func nianbaoVersion() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	v := info.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += "+" + s.Value[:12]
		}
		if s.Key == "vcs.modified" && s.Value == "true" {
			v += "-dirty"
		}
	}
	return v
}

const rootLong = `nianbao turns China's government information-disclosure annual reports
(政府信息公开工作年度报告) into one clean, traceable Parquet dataset: it finds and
fetches the reports, extracts every table cell from HTML, text and PDF, maps
each cell to a canonical key, keeps blank apart from zero, and checks the
template's own arithmetic.

Exit codes:
  0  the run did its work (failed identities and some failed documents are
     data, reported in the dataset and the summary)
  1  the run itself failed or produced nothing: no input, every document
     failed, every site unreachable, a disk full, another writer
  2  the command line was wrong

Configuration: every flag can also be set in a YAML file (--config, or
$XDG_CONFIG_HOME/nianbao/config.yaml when it exists) under its long name,
or in the environment as NIANBAO_<NAME> (dashes as underscores, e.g.
NIANBAO_DELAY=2s). Flags win over the environment, the environment over
the file. See nianbao.example.yaml in the repository.`

// newRoot builds the command tree.
func newRoot(stdout, stderr io.Writer) *cobra.Command {
	g := &globals{stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:           "nianbao",
		Short:         "Government information-disclosure annual reports as a Parquet dataset",
		Long:          rootLong,
		Version:       nianbaoVersion(),
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if err := applyConfig(cmd, g.config); err != nil {
				return err
			}
			if g.logFormat != "text" && g.logFormat != "json" {
				return usageErrorf("--log-format must be text or json, not %q", g.logFormat)
			}
			return nil
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &exitError{exitUsage, fmt.Errorf("%w\nRun '%s --help' for usage", err, cmd.CommandPath())}
	})
	pf := root.PersistentFlags()
	pf.StringVar(&g.config, "config", "", "YAML `file` of flag values (default $XDG_CONFIG_HOME/nianbao/config.yaml if present)")
	pf.StringVar(&g.logFormat, "log-format", "text", "log format on stderr: text or json")
	pf.BoolVarP(&g.quiet, "quiet", "q", false, "log only errors; no progress")
	root.AddCommand(newRunCmd(g), newDemoCmd(g), newParseCmd(g), newCrawlCmd(g), newEvalCmd(g), newDictCmd(g), newSitesCmd(g), newSiteCmd(g))
	return root
}

// run executes the command line and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == workerCommand {
		return runWorker(context.Background(), os.Stdin, stdout)
	}
	ctx, stop := signalContext()
	defer stop()
	root := newRoot(stdout, stderr)
	root.SetContext(ctx)
	root.SetArgs(args)
	cmd, err := root.ExecuteC()
	if err == nil {
		return exitOK
	}
	code := exitFailed
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
	} else if isUsageError(err) {
		code = exitUsage
	}
	if !errors.Is(err, errSilent) {
		fmt.Fprintf(stderr, "%s: %v\n", cmd.CommandPath(), err)
		if code == exitUsage && !strings.Contains(err.Error(), "--help' for usage") {
			fmt.Fprintf(stderr, "Run '%s --help' for usage\n", cmd.CommandPath())
		}
	}
	return code
}

// isUsageError tells cobra's own argument errors, which carry no type.
func isUsageError(err error) bool {
	s := err.Error()
	for _, p := range []string{"unknown command", "accepts ", "requires at least", "requires at most", "unknown flag", "required flag"} {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// applyConfig fills the flags a command line did not set from the
// environment (NIANBAO_NAME) and then a YAML config file.
func applyConfig(cmd *cobra.Command, path string) error {
	k := koanf.New(".")
	if path == "" {
		if dir, err := os.UserConfigDir(); err == nil {
			if p := filepath.Join(dir, "nianbao", "config.yaml"); fileExists(p) {
				path = p
			}
		}
	}
	if path != "" {
		if err := k.Load(file.Provider(path), yaml.Parser()); err != nil {
			return usageErrorf("config %s: %v", path, err)
		}
	}
	err := k.Load(env.Provider(".", env.Opt{
		Prefix: "NIANBAO_",
		TransformFunc: func(key, value string) (string, any) {
			return strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(key, "NIANBAO_")), "_", "-"), value
		},
	}), nil)
	if err != nil {
		return usageErrorf("environment: %v", err)
	}
	var bad error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Changed || bad != nil || !k.Exists(f.Name) || f.Name == "config" {
			return
		}
		if err := cmd.Flags().Set(f.Name, configString(k.Get(f.Name))); err != nil {
			bad = usageErrorf("config or environment value for --%s: %v", f.Name, err)
		}
	})
	return bad
}

// configString renders a loaded value the way its flag parses it.
func configString(v any) string {
	switch v := v.(type) {
	case []any:
		parts := make([]string, len(v))
		for i, p := range v {
			parts[i] = fmt.Sprint(p)
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(v)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// signalContext is cancelled by an interrupt or a termination signal, so
// that a run stops cleanly and the next one resumes.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// errSilent is an error whose command already said what went wrong.
var errSilent = errors.New("")
