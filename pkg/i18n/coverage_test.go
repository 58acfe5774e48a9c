package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// marker is the arguments of a marked function that are keys: arg, or
// every argument from arg on when variadic.
type marker struct {
	arg      int
	more     []int // further key arguments ("i18n:format 1,2")
	variadic bool
	plain    bool // the keys are text, not formats
}

func hasMarker(m map[string]marker, name string) bool {
	_, ok := m[name]
	return ok
}

// use is one key handed to the catalog in the code.
type use struct {
	key string
	at  string
	// plain: the key is text, not a format (i18n.T, a list of keys).
	plain bool
}

// formatFuncs are this package's functions whose first argument is a key.
// (Plural's key is its third argument, other; its second, one, is English
// only: TestPluralFormsAgree checks it against other.)
var formatFuncs = map[string]int{"T": 0, "Sprintf": 0, "Errorf": 0, "Both": 0, "P": 0, "NewError": 0, "Plural": 2, "PluralP": 2}

var markerRE = regexp.MustCompile(`i18n:format (\d+)((?:,\d+)*)(\.\.\.)?`)

// scanModule finds every key the module's code hands to the catalog: the
// first argument of i18n.T, i18n.Sprintf and i18n.Errorf, and argument N of
// any function or method whose doc comment says "i18n:format N" (N,M,…
// for several; every
// argument from N on with "i18n:format N...", for a variadic list of keys);
// a function of another package counts when called as pkg.Func. Keys are
// string literals, constants of the same package (or pkg.Const of another)
// and sums of those. dynamic lists the calls whose key is not a constant.
func scanModule(t *testing.T) (uses []use, dynamic []string) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	type pkgFiles struct {
		name  string
		files []*ast.File
	}
	pkgs := map[string]*pkgFiles{} // dir → files
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			n := d.Name()
			if p != root && (strings.HasPrefix(n, ".") || n == "testdata" || n == "vendor" || n == "records") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		dir := filepath.Dir(p)
		pf := pkgs[dir]
		if pf == nil {
			pf = &pkgFiles{name: f.Name.Name}
			pkgs[dir] = pf
		}
		pf.files = append(pf.files, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// Constants by package name (directory base name for imports) and by
	// directory, and marked functions by directory.
	consts := map[string]map[string]ast.Expr{} // dir → name → expr
	byImport := map[string]string{}            // last path element → dir
	marked := map[string]map[string]marker{}   // dir → func name → arguments
	for dir, pf := range pkgs {
		consts[dir] = map[string]ast.Expr{}
		marked[dir] = map[string]marker{}
		byImport[filepath.Base(dir)] = dir
		for _, f := range pf.files {
			for _, decl := range f.Decls {
				switch decl := decl.(type) {
				case *ast.GenDecl:
					if decl.Tok != token.CONST {
						continue
					}
					for _, spec := range decl.Specs {
						vs := spec.(*ast.ValueSpec)
						for i, n := range vs.Names {
							if i < len(vs.Values) {
								consts[dir][n.Name] = vs.Values[i]
							}
						}
					}
				case *ast.FuncDecl:
					if decl.Doc == nil {
						continue
					}
					if m := markerRE.FindStringSubmatch(decl.Doc.Text()); m != nil {
						n, _ := strconv.Atoi(m[1])
						mk := marker{arg: n, variadic: m[3] != "", plain: m[3] != ""}
						for _, x := range strings.Split(strings.TrimPrefix(m[2], ","), ",") {
							if i, err := strconv.Atoi(x); err == nil {
								mk.more = append(mk.more, i)
							}
						}
						marked[dir][decl.Name.Name] = mk
					}
				}
			}
		}
	}

	var eval func(dir string, e ast.Expr, depth int) (string, bool)
	eval = func(dir string, e ast.Expr, depth int) (string, bool) {
		if depth > 20 {
			return "", false
		}
		switch e := e.(type) {
		case *ast.BasicLit:
			if e.Kind != token.STRING {
				return "", false
			}
			s, err := strconv.Unquote(e.Value)
			return s, err == nil
		case *ast.ParenExpr:
			return eval(dir, e.X, depth+1)
		case *ast.BinaryExpr:
			if e.Op != token.ADD {
				return "", false
			}
			a, ok1 := eval(dir, e.X, depth+1)
			b, ok2 := eval(dir, e.Y, depth+1)
			return a + b, ok1 && ok2
		case *ast.Ident:
			if v, ok := consts[dir][e.Name]; ok {
				return eval(dir, v, depth+1)
			}
		case *ast.SelectorExpr:
			if x, ok := e.X.(*ast.Ident); ok {
				if d, ok := byImport[x.Name]; ok {
					if v, ok := consts[d][e.Sel.Name]; ok {
						return eval(d, v, depth+1)
					}
				}
			}
		}
		return "", false
	}

	dirs := make([]string, 0, len(pkgs))
	for dir := range pkgs {
		dirs = append(dirs, dir)
	}
	sort.Strings(dirs)
	for _, dir := range dirs {
		pf := pkgs[dir]
		// The i18n package's own functions hand their format parameters
		// on: only its calls with a constant key (i18n.Some's) are uses.
		own := pf.name == "i18n" && dir == filepath.Join(root, "pkg", "i18n")
		for _, f := range pf.files {
			// A marked function hands its key parameters on: a variable
			// in its body is no dynamic key.
			var forwarded bool
			ast.Inspect(f, func(n ast.Node) bool {
				if fd, ok := n.(*ast.FuncDecl); ok {
					_, forwarded = marked[dir][fd.Name.Name]
					return true
				}
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				mk := marker{arg: -1}
				if own {
					if fun, ok := call.Fun.(*ast.Ident); ok {
						if i, ok := formatFuncs[fun.Name]; ok && i < len(call.Args) {
							if lit, ok := call.Args[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
								s, _ := strconv.Unquote(lit.Value)
								pos := fset.Position(call.Pos())
								rel, _ := filepath.Rel(root, pos.Filename)
								uses = append(uses, use{key: s, at: rel + ":" + strconv.Itoa(pos.Line), plain: fun.Name == "T"})
							}
						}
					}
					return true
				}
				switch fun := call.Fun.(type) {
				case *ast.SelectorExpr:
					x, _ := fun.X.(*ast.Ident)
					switch {
					case x != nil && x.Name == "i18n":
						if i, ok := formatFuncs[fun.Sel.Name]; ok {
							mk = marker{arg: i, plain: fun.Sel.Name == "T"}
						}
					case x != nil && hasMarker(marked[byImport[x.Name]], fun.Sel.Name):
						mk = marked[byImport[x.Name]][fun.Sel.Name]
					default:
						if m, ok := marked[dir][fun.Sel.Name]; ok {
							mk = m
						}
					}
				case *ast.Ident:
					if m, ok := marked[dir][fun.Name]; ok {
						mk = m
					}
				}
				if mk.arg < 0 || mk.arg >= len(call.Args) {
					return true
				}
				pos := fset.Position(call.Pos())
				rel, _ := filepath.Rel(root, pos.Filename)
				at := rel + ":" + strconv.Itoa(pos.Line)
				args := []ast.Expr{call.Args[mk.arg]}
				for _, i := range mk.more {
					if i < len(call.Args) {
						args = append(args, call.Args[i])
					}
				}
				if mk.variadic {
					args = call.Args[mk.arg:]
					if call.Ellipsis.IsValid() {
						dynamic = append(dynamic, at) // keys...: not constants
						return true
					}
				}
				for _, a := range args {
					if _, ok := a.(*ast.Ident); ok && forwarded {
						continue
					}
					if s, ok := eval(dir, a, 0); ok {
						uses = append(uses, use{key: s, at: at, plain: mk.plain})
					} else {
						dynamic = append(dynamic, at)
					}
				}
				return true
			})
		}
	}
	return uses, dynamic
}

// TestEveryMessageHasBothLanguages fails when a key in the code has no
// Chinese translation, when the Chinese catalog holds a key no code uses, or
// when a translation's verbs do not match its key's.
func TestEveryMessageHasBothLanguages(t *testing.T) {
	cat, err := Catalog()
	if err != nil {
		t.Fatal(err)
	}
	zh := map[string]string{}
	for file, m := range cat {
		if file == TermsFile {
			continue
		}
		for k, v := range m {
			if _, dup := zh[k]; dup {
				t.Errorf("catalog/%s.zh-Hant.yaml: %q is translated in two files", file, k)
			}
			zh[k] = v
		}
	}
	uses, dynamic := scanModule(t)
	if len(uses) == 0 {
		t.Fatal("the scan found no message keys at all; it is broken")
	}
	used := map[string]bool{}
	format := map[string]bool{} // keys used as a format somewhere
	for _, u := range uses {
		if !u.plain {
			format[u.key] = true
		}
	}
	for _, u := range uses {
		used[u.key] = true
		if !hasWords(u.key) {
			t.Errorf("%s: key %q has nothing to translate: pass the sentence as the format, not its text as an argument", u.at, u.key)
			continue
		}
		v, ok := zh[u.key]
		if !ok {
			t.Errorf("%s: no zh-Hant translation for %q (add it to pkg/i18n/catalog/)", u.at, u.key)
			continue
		}
		if a, b := verbs(u.key), verbs(v); format[u.key] && a != b {
			t.Errorf("%s: translation of %q has verbs %s, the English has %s", u.at, u.key, b, a)
		}
	}
	for k := range zh {
		if !used[k] {
			t.Errorf("catalog key %q is used nowhere in the code (remove it or use it)", k)
		}
	}
	for _, at := range dynamic {
		t.Errorf("%s: a message key must be a constant so its translation can be checked", at)
	}
}

var verbRE = regexp.MustCompile(`%(?:\[(\d+)\])?[-+# 0]*\d*(?:\.\d+)?([a-zA-Z%])`)

// verbs describes a format's verbs by argument: "1:s 2:d". Explicit indexes
// are resolved, so a translation may reorder its arguments.
func verbs(format string) string {
	var parts []string
	next := 1
	for _, m := range verbRE.FindAllStringSubmatch(format, -1) {
		if m[2] == "%" {
			continue
		}
		n := next
		if m[1] != "" {
			n, _ = strconv.Atoi(m[1])
		}
		next = n + 1
		verb := m[2]
		if verb == "v" || verb == "q" {
			verb = "s" // %v and %q print a string argument as %s would, save quoting
		}
		parts = append(parts, strconv.Itoa(n)+":"+verb)
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

func TestVerbs(t *testing.T) {
	if a, b := verbs("%s owes %d on %s"), verbs("%[3]s：%[1]s 欠 %[2]d"); a != b {
		t.Fatalf("reordered verbs differ: %s vs %s", a, b)
	}
	if a, b := verbs("%s is %d"), verbs("%d 是 %s"); a == b {
		t.Fatal("swapped verbs must differ")
	}
	_ = os.Getenv
}

// hasWords reports whether a format is more than one verb: a key "%s"
// would carry a message built elsewhere, in English, past the check.
func hasWords(format string) bool {
	return strings.TrimSpace(verbRE.ReplaceAllString(format, "")) != "" || len(verbRE.FindAllString(format, -1)) > 1
}

func TestHasWords(t *testing.T) {
	if hasWords("%s") || hasWords(" %v ") || !hasWords("%d %s") || !hasWords("%s is over %s") || !hasWords("%s (%s)") {
		t.Fatal("hasWords is wrong")
	}
}

var pluralRE = regexp.MustCompile(`i18n\.PluralP?\([^,()]+(?:\([^()]*\))?,\s*"((?:[^"\\]|\\.)*)",\s*"((?:[^"\\]|\\.)*)"`)

// TestPluralFormsAgree fails when a Plural's English one and other do not
// take the same verbs, or one of them names no count.
func TestPluralFormsAgree(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range pluralRE.FindAllStringSubmatch(string(b), -1) {
			calls++
			one, other := m[1], m[2]
			if verbs(one) != verbs(other) || one == other {
				t.Errorf("%s: Plural(%q, %q): the forms differ in their verbs, or are the same", path, one, other)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls == 0 {
		t.Error("no i18n.Plural call found: the scan is broken")
	}
}

// TestNoParenthesisedPlurals fails on a message that hedges its count
// with "(s)" ("1 key(s)"): a count takes Plural's forms (PluralP in a
// finding), or, where only English is written (a commit message, a
// generated file's comment), the form its count asks for.
func TestNoParenthesisedPlurals(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	hedged := regexp.MustCompile(`"(?:[^"\\\n]|\\.)*[a-z]\(s\)(?:[^"\\\n]|\\.)*"`)
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "records") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range hedged.FindAllString(string(b), -1) {
			t.Errorf("%s: %s: give the count its plural form", path, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := Catalog()
	if err != nil {
		t.Fatal(err)
	}
	for file, entries := range cat {
		for key := range entries {
			if regexp.MustCompile(`[a-z]\(s\)`).MatchString(key) {
				t.Errorf("%s: %q: give the count its plural form", file, key)
			}
		}
	}
}
