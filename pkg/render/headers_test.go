package render

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/i18n"
)

// TestHeadersStayApartInChinese reads every render.Headers call of the
// module's packages: the headers of one table, translated, are all
// different, so two columns never read alike (a task report's OVERDUE,
// open past due, and LATE, done after it, both said 逾期).
func TestHeadersStayApartInChinese(t *testing.T) {
	defer i18n.Set(i18n.English)
	i18n.Set(i18n.Chinese)
	calls := 0
	err := filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			name := ""
			switch {
			case ok && sel.Sel.Name == "Headers":
				if x, ok := sel.X.(*ast.Ident); ok && x.Name == "render" {
					name = "render.Headers"
				}
			case !ok:
				if id, ok := call.Fun.(*ast.Ident); ok && id.Name == "Headers" {
					name = "Headers"
				}
			}
			if name == "" {
				return true
			}
			seen := map[string]string{}
			for _, a := range call.Args {
				lit, ok := a.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				key, _ := strconv.Unquote(lit.Value)
				zh := i18n.T(key)
				if prev, ok := seen[zh]; ok {
					t.Errorf("%s: headers %q and %q both read %q", p, prev, key, zh)
				}
				seen[zh] = key
			}
			calls++
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls < 20 {
		t.Fatalf("only %d calls of Headers found", calls)
	}
}
