package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/v2"
	"github.com/opengov-cn/nianbao/testdata/hostile"
)

// TestExitCodes pins the documented exit codes: 0 the run did its work, 1
// it failed or produced nothing, 2 the command line was wrong.
func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good/report.html", hostile.Report())
	png := write("png/image.png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"))
	broken := write("broken/a.pdf", []byte("%PDF-1.4 not really"))
	empty := filepath.Join(dir, "empty")
	os.MkdirAll(empty, 0o755)
	out := func(name string) string { return filepath.Join(dir, "out-"+name) }
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"a report", []string{"parse", "-q", "-o", out("good"), good}, exitOK},
		{"flags after paths", []string{"parse", good, "-o", out("after"), "-q"}, exitOK},
		{"only a PNG", []string{"parse", "-q", "-o", out("png"), png}, exitFailed},
		{"only unreadable files", []string{"parse", "-q", "-o", out("broken"), broken}, exitFailed},
		{"an empty directory", []string{"parse", "-q", "-o", out("empty"), empty}, exitFailed},
		{"a missing path", []string{"parse", "-q", "-o", out("missing"), filepath.Join(dir, "nope")}, exitFailed},
		{"no output", []string{"parse", good}, exitUsage},
		{"unknown flag", []string{"parse", "--bogus", "-o", out("x"), good}, exitUsage},
		{"dict with a bad flag", []string{"dict", "--bogus"}, exitUsage},
		{"unknown command", []string{"frobnicate"}, exitUsage},
		{"help", []string{"help", "parse"}, exitOK},
		{"-h", []string{"parse", "-h"}, exitOK},
		{"version", []string{"--version"}, exitOK},
		{"bad log format", []string{"dict", "--log-format", "xml"}, exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if got := run(tt.args, &stdout, &stderr); got != tt.want {
				t.Errorf("nianbao %v: exit %d, want %d\n%s%s", tt.args, got, tt.want, stdout.String(), stderr.String())
			}
		})
	}
}

// TestConfigPrecedence checks flags > environment > config file.
func TestConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "nianbao.yaml")
	os.WriteFile(cfg, []byte("log-format: json\njobs: 3\n"), 0o644)
	report := filepath.Join(dir, "r.html")
	os.WriteFile(report, hostile.Report(), 0o644)
	runs := 0
	parse := func(extra ...string) string {
		var stdout, stderr bytes.Buffer
		// A dataset of its own each time: a second parse into one would
		// take the report from its cache and log no "parsed" line.
		runs++
		out := filepath.Join(dir, fmt.Sprintf("out%d", runs))
		args := append([]string{"parse", "--config", cfg, "-o", out, report}, extra...)
		if code := run(args, &stdout, &stderr); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
		return stderr.String()
	}
	if log := parse(); !bytes.Contains([]byte(log), []byte(`"msg":"parsed"`)) {
		t.Errorf("config file's log-format: json not applied:\n%s", log)
	}
	t.Setenv("NIANBAO_LOG_FORMAT", "text")
	if log := parse(); !bytes.Contains([]byte(log), []byte("msg=parsed")) {
		t.Errorf("environment did not win over the file:\n%s", log)
	}
	if log := parse("--log-format", "json"); !bytes.Contains([]byte(log), []byte(`"msg":"parsed"`)) {
		t.Errorf("flag did not win over the environment:\n%s", log)
	}
	t.Setenv("NIANBAO_JOBS", "zero")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"parse", "-o", filepath.Join(dir, "out"), report}, &stdout, &stderr); code != exitUsage {
		t.Errorf("a bad environment value: exit %d, want %d (%s)", code, exitUsage, stderr.String())
	}
}

// TestExampleConfig checks that every key of the repository's commented
// example config is a flag of 'nianbao run' and that its value parses.
func TestExampleConfig(t *testing.T) {
	cmd := newRunCmd(&globals{stdout: io.Discard, stderr: io.Discard})
	root := newRoot(io.Discard, io.Discard)
	cmd.Flags().AddFlagSet(root.PersistentFlags())
	if err := applyConfig(cmd, "../../nianbao.example.yaml"); err != nil {
		t.Fatal(err)
	}
	k := koanf.New(".")
	if err := k.Load(file.Provider("../../nianbao.example.yaml"), yaml.Parser()); err != nil {
		t.Fatal(err)
	}
	for _, key := range k.Keys() {
		f := cmd.Flags().Lookup(key)
		if f == nil {
			t.Errorf("example config key %q is no flag of nianbao run", key)
			continue
		}
		if !f.Changed {
			t.Errorf("example config key %q was not applied", key)
		}
	}
}
