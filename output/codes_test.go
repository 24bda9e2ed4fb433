package output

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/opengov-cn/nianbao/normalize"
	"github.com/opengov-cn/nianbao/parse"
)

// TestWarningCodesDocumented finds every warning-code constant declared in
// the packages that emit warnings and requires it in the documented lists
// (and so in the dictionary and the README), exactly once.
func TestWarningCodesDocumented(t *testing.T) {
	documented := map[parse.Code]int{}
	for _, list := range [][]parse.CodeDoc{parse.ReaderCodes, normalize.MappingCodes, WriterCodes} {
		for _, c := range list {
			documented[c.Code]++
		}
	}
	for code, n := range documented {
		if n > 1 {
			t.Errorf("code %s documented %d times", code, n)
		}
	}
	declared := 0
	for _, dir := range []string{"../parse", "../normalize", "."} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			file, err := parser.ParseFile(token.NewFileSet(), f, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, code := range codeConstants(file) {
				declared++
				if documented[parse.Code(code)] == 0 {
					t.Errorf("%s: warning code %q is not in ReaderCodes, MappingCodes or WriterCodes", f, code)
				}
			}
		}
	}
	if declared < 20 {
		t.Fatalf("found only %d code constants: the scan is broken", declared)
	}
}

// codeConstants returns the values of constants typed Code or parse.Code.
func codeConstants(f *ast.File) []string {
	var out []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			if !isCodeType(vs.Type) {
				continue
			}
			for _, v := range vs.Values {
				if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					if s, err := strconv.Unquote(lit.Value); err == nil {
						out = append(out, s)
					}
				}
			}
		}
	}
	return out
}

func isCodeType(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name == "Code"
	case *ast.SelectorExpr:
		return e.Sel.Name == "Code"
	}
	return false
}
