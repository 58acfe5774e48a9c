package record

import (
	"strconv"
	"strings"
	"testing"
)

// posPaths lists the paths to ask of a record: every field, list element
// and nested field it has, plus children and elements it does not have
// (a missing field points at the mapping that should hold it).
func posPaths(v any, prefix string, out *[]string) {
	join := func(p string) string {
		if prefix == "" {
			return p
		}
		return prefix + "." + p
	}
	*out = append(*out, prefix, join("missing"), join("0"), join("9"), join("01"))
	switch t := v.(type) {
	case Map:
		for _, f := range t {
			posPaths(f.Value, join(f.Key), out)
		}
	case []any:
		for i, x := range t {
			posPaths(x, join(strconv.Itoa(i)), out)
		}
	}
}

// sameAsTree checks fastPos against Pos on the YAML library's node tree,
// for every path of the file, and so its skim when fastValues reads the
// file; it reports whether the scan answered.
func sameAsTree(t *testing.T, name string, src []byte) bool {
	t.Helper()
	rec, ds := Parse(name, src)
	if rec == nil || len(ds) > 0 || rec.Root == nil {
		return false
	}
	var paths []string
	posPaths(rec.Data, "", &paths)
	answered := false
	_, fast := fastValues(string(src))
	for _, p := range paths {
		line, col, ok := fastPos(string(src), p, false)
		if fast {
			sl, sc, sok := fastPos(string(src), p, true)
			if sok != ok || sl != line || sc != col {
				t.Fatalf("%s: Pos(%q): the skim says %d:%d (%v), the scan %d:%d (%v)\n%s", name, p, sl, sc, sok, line, col, ok, src)
			}
		}
		if !ok {
			continue
		}
		answered = true
		if wl, wc := rec.Pos(p); line != wl || col != wc {
			t.Fatalf("%s: Pos(%q): the scan says %d:%d, the tree %d:%d\n%s", name, p, line, col, wl, wc, src)
		}
	}
	return answered
}

func TestFastPosSample(t *testing.T) {
	for name, data := range sampleFiles(t) {
		if !sameAsTree(t, name, data) && name != ".opsbook.yaml" {
			t.Errorf("%s: no position found by the scan", name)
		}
	}
}

func TestFastPosShapes(t *testing.T) {
	for _, s := range []string{
		"kind: expense\nid: EXP-2026-0001\namount:   1280.50\n",
		"# head\n\n  kind: x\n  id: y\n",
		"items:\n  - description: x\n    amount: 1\n  -   description: y\n      amount: 2\n",
		"items:\n- a\n-   'b'\nnext: [x, y]\nempty: []\n",
		"m:\n  k: \"v\"\n  deep:\n    x: 1   # c\n    l:\n    - 1\n    - - no\n",
		"key:   # comment on a key\n  child: v\n",
		"t: 文字\nu: 中文值\nteam: [li.wei, 王芳]\nother: [王芳,  陳 經理 , x]\nl:\n- [a, 文, b]\n",
	} {
		// Each answers from the scan and agrees with the tree, except the
		// nested sequence ("- - no"), which the scan leaves to the tree.
		if !sameAsTree(t, "case.yaml", []byte(s)) && !strings.Contains(s, "- - no") {
			t.Errorf("the scan gave up on %q", s)
		}
	}
	// A lean record answers from the scan and never keeps a tree.
	r, _ := ParseLean("x.yaml", []byte("kind: expense\nid: EXP-2026-0001\nitems:\n  - amount: 5\n"))
	if line, col := r.Pos("items.0.amount"); line != 4 || col != 13 {
		t.Errorf("Pos = %d:%d, want 4:13", line, col)
	}
	if r.lazy.root != nil {
		t.Error("Pos parsed the node tree for a file the scan reads")
	}
}

// A position in a file fastValues read makes no value: the skim follows
// the file's shape alone. Reading the values again for every finding took
// 3 s of CPU and 280 MB of garbage in a cold validate of 100,000 records.
func TestFastPosSkimMakesNoValue(t *testing.T) {
	src := "kind: expense\nid: EXP-2026-0001\ntitle: \"計程車 to the airport\"\nnote: a long note about the trip, in words\n" +
		"items:\n  - description: taxi\n    amount: 1280.50\n  - description: train\n    amount: 86\n" +
		"team: [li.wei, wang.fang]\nenc: |\n  -----BEGIN AGE ENCRYPTED FILE-----\n  YWdlLWVuY3J5cHRpb24=\n  -----END AGE ENCRYPTED FILE-----\n"
	r, _ := ParseLean("x.yaml", []byte(src))
	if r == nil || !r.lazy.fast {
		t.Fatal("fastValues did not read the file")
	}
	r.Pos("items.1.amount") // the line pool filled
	allocs := testing.AllocsPerRun(100, func() {
		if line, col := r.Pos("items.1.amount"); line != 9 || col != 13 {
			t.Fatalf("Pos = %d:%d, want 9:13", line, col)
		}
	})
	// the path's parts and the recorder: a handful, whatever the file
	if allocs > 10 {
		t.Errorf("Pos made %v allocations: it reads the values again", allocs)
	}
}

func FuzzFastPos(f *testing.F) {
	for _, data := range sampleFiles(f) {
		f.Add(data)
	}
	f.Add([]byte("a: [x, y]\nb:\n- 1\n- c: d\n  e: 'f'\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096 || !cleanText(data) {
			return
		}
		sameAsTree(t, "fuzz.yaml", data)
	})
}

// BenchmarkPos: a diagnostic's line and column from a record loaded
// without its tree (the scan), as the rules ask for every finding.
func BenchmarkPos(b *testing.B) {
	var recs []*Record
	for name, data := range sampleFiles(b) {
		if r, _ := ParseLean(name, data); r != nil && r.Kind != "" {
			recs = append(recs, r)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, r := range recs {
			r.Pos("status")
		}
	}
}
