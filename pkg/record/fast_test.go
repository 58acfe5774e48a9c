package record

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// sameAsFull checks the fast route against the full one: when the fast
// route answers, the full route reports nothing and gives the same values.
func sameAsFull(t *testing.T, name string, src []byte) bool {
	t.Helper()
	fast, ok := fastValues(string(src))
	if !ok {
		return false
	}
	rec, ds := Parse(name, src)
	if rec == nil || len(ds) > 0 {
		t.Fatalf("%s: fast route accepted what the full route refuses: %v\n%s", name, ds, src)
	}
	if len(rec.Dropped) > 0 {
		t.Fatalf("%s: full route dropped %v", name, rec.Dropped)
	}
	if !reflect.DeepEqual(fast, rec.Data) {
		t.Fatalf("%s: fast route differs\nfast: %#v\nfull: %#v\n%s", name, fast, rec.Data, src)
	}
	return true
}

func sampleFiles(t testing.TB) map[string][]byte {
	out := map[string][]byte{}
	root := filepath.Join("..", "..", "records")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") {
			return err
		}
		data, err := os.ReadFile(p)
		out[p] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join("..", "..", ".opsbook.yaml"))
	if err == nil {
		out[".opsbook.yaml"] = data
	}
	return out
}

// TestFastValuesSample: the sample department's records take the fast
// route (nearly all) and it agrees with the full route on every one.
func TestFastValuesSample(t *testing.T) {
	files := sampleFiles(t)
	fast := 0
	for name, data := range files {
		if sameAsFull(t, name, data) {
			fast++
		}
	}
	if fast < len(files)*9/10 {
		t.Errorf("only %d of %d sample files take the fast route", fast, len(files))
	}
}

// TestFastValuesShapes: what the fast route reads, and what it leaves to the
// full route.
func TestFastValuesShapes(t *testing.T) {
	takes := []string{
		"kind: expense\nid: EXP-2026-0001\namount: 1280.50\n",
		"a: 'single'\nb: \"double # not a comment\"\nc: plain # comment\nd: ''\n",
		"list: [a, b, c@example.com]\nempty: []\nn: [1, 2.5, -3]\nb: [true, false]\n",
		"items:\n  - description: x\n    amount: 1\n  -   description: y\n      amount: 2\n",
		"items:\n- a\n- b\nnext: 1\n",
		"m:\n  k: v\n  deep:\n    x: 1\n    l:\n    - 1\n    - 2\n",
		"# comment\n\nkind: x   \n  # indented comment\nid: y\n",
		"date: 2026-01-12\nat: 2026-01-08T10:20:00+08:00\nperiod: 2026-H1\nphone: +86 138 5550 5521\n",
		"t: 1 月 5 日\nu: http://example.com/x\nv: a: b\n",
		"yes: yes\nno: no\non: off\ny: n\n",
		"text: it's a [test] {x} C#\n",
		"zero: 0\nneg: -0.5\nbig: 123456789012345\n",
		"  indented: root\n  second: 2\n",
		"key:   # comment on a key\n  child: v\n",
		"中文: 不是簡單鍵\n",
		"contact: |\n  -----BEGIN AGE ENCRYPTED FILE-----\n  YWdlLWVuY3J5cHRpb24ub3JnL3Yx+/=\n  -----END AGE ENCRYPTED FILE-----\nnext: 1\n",
	}
	for _, s := range takes {
		// Every case either takes the fast route and agrees, or is left to
		// the full route; the point of the list is that most are taken.
		sameAsFull(t, "case.yaml", []byte(s))
	}
	mustTake := []string{takes[0], takes[1], takes[2], takes[3], takes[4], takes[5], takes[6], takes[7], takes[9], takes[10], takes[11], takes[12], takes[13], takes[15]}
	for _, s := range mustTake {
		if _, ok := fastValues(s); !ok {
			t.Errorf("fast route gave up on %q", s)
		}
	}
	leaves := []string{
		"a: null\n", "a: ~\n", "a:\n", "a: True\n", "a: 012\n", "a: 0x1F\n", "a: 1e3\n", "a: .inf\n",
		"a: 1_000\n", "a: 1234567890123456\n", "a: &x 1\nb: *x\n", "a: !!str 1\n", "a: |\n  x # y\n", "a: |-\n  x\n",
		"a: |\n  x\n\n  y\n", "a: |\n   x\n  y\n", "a: |\n", "a: |\nb: 1\n", "a: |\n  x \n",
		"a: >\n  x\n", "a: b\n  c\n", "a: b\na: c\n", "'a': 1\n", "a: {b: 1}\n", "a: [b,\n  c]\n",
		"a: \"x\\ty\"\n", "a: 'it''s'\n", "a: [a, b,]\n", "---\na: 1\n", "a: 1\n---\nb: 2\n",
		"a: 1\r\n", "a:\tb\n", "- a\n- b\n", "just text\n", "a: x # c\n  b: 1\n", "a: 😀\n",
		"a: \u2028\n", "true: 1\n", "<<: {a: 1}\n", "a:\n  - - x\n", "a:\n  -\n    b: 1\n", "a: -\n",
		"a: b: c\n", "a: x:\n", "a: @x\n", "a: `x`\n", "a: %x\n", "a: ?x\n",
	}
	for _, s := range leaves {
		if _, ok := fastValues(s); ok {
			t.Errorf("fast route took %q", s)
		}
	}
}

// FuzzFastValues: whenever the fast route answers, the full route agrees.
func FuzzFastValues(f *testing.F) {
	for _, data := range sampleFiles(f) {
		f.Add(data)
	}
	f.Add([]byte("a: [x, y]\nb:\n- 1\n- c: d\n  e: 'f'\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096 || !cleanText(data) {
			return
		}
		sameAsFull(t, "fuzz.yaml", data)
	})
}
