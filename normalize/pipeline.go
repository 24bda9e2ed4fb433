package normalize

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"runtime/debug"

	"github.com/opengov-cn/nianbao/parse"
)

// Warning codes of the pipeline itself.
const (
	CodeRead  parse.Code = "document.read"  // the file could not be read
	CodeParse parse.Code = "document.parse" // the reader returned an error
	CodePanic parse.Code = "document.panic" // the reader crashed on this document
	// A document run in a worker process that the worker did not answer.
	CodeTimeout parse.Code = "document.timeout" // over its time limit: the worker was killed
	CodeMemory  parse.Code = "document.memory"  // over its memory limit: the worker was killed
	CodeCrash   parse.Code = "document.crash"   // its worker died (stack overflow, out of memory…)
)

// ProcessFile reads the file at path and runs it through Process.
func ProcessFile(ctx context.Context, path string) *Report {
	data, err := os.ReadFile(path)
	if err != nil {
		return Failed(Source{Path: path}, CodeRead, err)
	}
	return Process(ctx, Source{Path: path}, data)
}

// Process is the pipeline for one document: sniff and parse the bytes,
// then map them to the template and run the checks. src.SHA256 is filled
// in when empty. A document that cannot be read or crashes the parser
// yields a failed report, never an error or a panic: one bad document
// never stops a run.
func Process(ctx context.Context, src Source, data []byte) (rep *Report) {
	if src.SHA256 == "" {
		sum := sha256.Sum256(data)
		src.SHA256 = hex.EncodeToString(sum[:])
	}
	defer func() {
		if p := recover(); p != nil {
			rep = Failed(src, CodePanic, fmt.Errorf("%v\n%s", p, debug.Stack()))
		}
	}()
	doc, err := parse.Parse(ctx, src.Path, data)
	if err != nil {
		return Failed(src, CodeParse, err)
	}
	return Normalize(doc, src)
}

// Failed is the report of a document that could not be read at all.
func Failed(src Source, code parse.Code, err error) *Report {
	r := &Report{Source: src.Path, SHA256: src.SHA256, Status: StatusFailed, Template: TemplateUnknown,
		Format: string(parse.FormatUnknown)}
	if len(src.SHA256) >= 16 {
		r.ID = src.SHA256[:16]
	} else {
		// No bytes to name it by: its path does, so that two unreadable
		// files are two reports, not one id twice.
		sum := sha256.Sum256([]byte("path:" + src.Path))
		r.ID = hex.EncodeToString(sum[:8])
	}
	r.Warnings = []parse.Warning{{Code: code, Message: fmt.Sprintf("%s: %v", src.Path, err)}}
	return r
}
