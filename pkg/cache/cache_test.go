package cache

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
)

func sample() []*Entry {
	src := "kind: expense\nid: EXP-2026-0001\namount: 1280.50\nitems:\n  - description: 酒店\n    amount: 1280.50\n"
	return []*Entry{
		{
			Path: "records/expenses/2026/EXP-2026-0001.yaml", Stat: Stat{Size: int64(len(src)), Mtime: 1, Ctime: 2, Ino: 3},
			Trusted: true, HasRecord: true, Fast: true, Kind: "expense", ID: "EXP-2026-0001", Src: src,
			Data: record.MapOf("kind", "expense", "id", "EXP-2026-0001", "amount", json.Number("1280.50"),
				"items", []any{record.MapOf("description", "酒店", "amount", json.Number("1280.50"))},
				// Values that are not in the text are kept too, in their order.
				"flag", true, "off", false, "other", "not in the text", "n", json.Number("-7"), "empty", "", "list", []any{}),
			Dropped: map[string]bool{"note": true},
			Diags:   []diag.Diagnostic{{Path: "records/expenses/2026/EXP-2026-0001.yaml", Line: 3, Column: 9, Severity: diag.Warning, Rule: "r", Message: "m", Text: "訊息", Record: "EXP-2026-0001"}},
		},
		{Path: "records/broken.yaml", Stat: Stat{Size: 4}, Diags: []diag.Diagnostic{{Path: "records/broken.yaml", Line: 1, Column: 1, Severity: diag.Error, Rule: "yaml-syntax", Message: "x"}}},
	}
}

func TestRoundTrip(t *testing.T) {
	key := NewKey("records", []string{"a"}, []string{"b"})
	in := sample()
	out, err := decode(encode(key, in), key, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("round trip differs:\n in %#v\nout %#v", in[0], out[0])
	}
	if _, err := decode(encode(key, in), NewKey("records", []string{"a", "c"}, []string{"b"}), nil); err == nil {
		t.Error("a cache with another key was read")
	}
	// the record of an entry the fast reader read is restored as such:
	// its positions follow the text's shape without making its values
	if r := out[0].Record(); !r.Fast() {
		t.Error("the restored record forgot that the fast reader read it")
	} else if line, col := r.Pos("items.0.amount"); line != 6 || col != 13 {
		t.Errorf("Pos = %d:%d, want 6:13", line, col)
	}
	in[0].Fast = false
	if out, _ := decode(encode(key, in), key, nil); out[0].Fast || out[0].Record().Fast() {
		t.Error("an entry the fast reader did not read came back as read by it")
	}
}

// TestOpenOnly: a cache opened for some paths holds their entries as
// Open gives them and no other, and says it is partial (never to be
// saved); Open's is not.
func TestOpenOnly(t *testing.T) {
	key := NewKey("records", []string{"a"}, []string{"b"})
	p := filepath.Join(t.TempDir(), "cache")
	if err := Save(p, key, sample()); err != nil {
		t.Fatal(err)
	}
	whole := Open(p, key)
	only := OpenOnly(p, key, func(path string) bool { return path == "records/expenses/2026/EXP-2026-0001.yaml" })
	if whole.Why != "" || only.Why != "" || whole.Partial() || !only.Partial() {
		t.Fatalf("whole %q partial %v, only %q partial %v", whole.Why, whole.Partial(), only.Why, only.Partial())
	}
	if only.Len() != 1 || !reflect.DeepEqual(only.Get("records/expenses/2026/EXP-2026-0001.yaml"), whole.Get("records/expenses/2026/EXP-2026-0001.yaml")) {
		t.Errorf("OpenOnly kept %d entries, or another one", only.Len())
	}
	if only.Get("records/broken.yaml") != nil || whole.Get("records/broken.yaml") == nil {
		t.Error("OpenOnly kept an entry it was not asked for")
	}
}

// TestKeyHasLanguage: the diagnostics' text is in the language of the run
// that made the entry, so a run in another language does not read it.
func TestKeyHasLanguage(t *testing.T) {
	defer i18n.Set(i18n.English)
	en := NewKey("records", []string{"a"}, []string{"b"})
	i18n.Set(i18n.Chinese)
	zh := NewKey("records", []string{"a"}, []string{"b"})
	i18n.Set(i18n.English)
	if en == zh || en != NewKey("records", []string{"a"}, []string{"b"}) {
		t.Fatal("the cache key does not follow the language")
	}
}

func TestSaveOpen(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "opsbook", "cache")
	key := NewKey("records", nil, nil)
	if c := Open(p, key); c.Len() != 0 || c.Why != "" {
		t.Fatalf("missing cache: %d entries, %q", c.Len(), c.Why)
	}
	if err := Save(p, key, sample()); err != nil {
		t.Fatal(err)
	}
	c := Open(p, key)
	if c.Len() != 2 || c.Get("records/broken.yaml") == nil {
		t.Fatalf("read %d entries", c.Len())
	}
	rec := c.Get("records/expenses/2026/EXP-2026-0001.yaml").Record()
	if rec.ID != "EXP-2026-0001" || rec.Root != nil || !rec.Dropped["note"] {
		t.Fatalf("record %+v", rec)
	}
	if l, col := rec.Pos("items.0.amount"); l != 6 || col != 13 {
		t.Errorf("Pos = %d:%d, want 6:13 (from the kept text)", l, col)
	}
	data, _ := os.ReadFile(p)
	for i := 0; i < len(data); i += 7 {
		bad := append([]byte{}, data...)
		bad[i] ^= 0x20
		if err := os.WriteFile(p, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		if c := Open(p, key); c.Len() != 0 || c.Why == "" {
			t.Fatalf("byte %d garbled: cache read (%d entries)", i, c.Len())
		}
	}
}

func TestTrust(t *testing.T) {
	now := time.Now()
	old := now.Add(-time.Hour).UnixNano()
	if !Trust(Stat{Mtime: old, Ctime: old}, now) {
		t.Error("an old file is not trusted")
	}
	if Trust(Stat{Mtime: old, Ctime: now.Add(-time.Second).UnixNano()}, now) {
		t.Error("a file changed a second ago is trusted")
	}
}

func TestDir(t *testing.T) {
	root := t.TempDir()
	if Dir(root) != "" {
		t.Error("a folder without .git has a cache folder")
	}
	os.Mkdir(filepath.Join(root, ".git"), 0o755)
	if got := Dir(root); got != filepath.Join(root, ".git", "opsbook") {
		t.Errorf("Dir = %s", got)
	}
	wt := t.TempDir()
	os.WriteFile(filepath.Join(wt, ".git"), []byte("gitdir: "+filepath.Join(root, ".git", "worktrees", "x")+"\n"), 0o644)
	if got := Dir(wt); got != filepath.Join(root, ".git", "worktrees", "x", "opsbook") {
		t.Errorf("worktree Dir = %s", got)
	}
}

// Entries are found by path whatever order Save was given them in (a
// partial load appends the other kinds' entries); a path held twice is a
// file Save did not write.
func TestGetMatch(t *testing.T) {
	p := filepath.Join(t.TempDir(), "cache")
	key := NewKey("records", nil, nil)
	var in []*Entry
	for _, name := range []string{"records/c.yaml", "records/a.yaml", "records/e.yaml"} {
		in = append(in, &Entry{Path: name})
	}
	if err := Save(p, key, in); err != nil {
		t.Fatal(err)
	}
	c := Open(p, key)
	for _, name := range []string{"records/a.yaml", "records/c.yaml", "records/e.yaml"} {
		if e := c.Get(name); e == nil || e.Path != name {
			t.Errorf("Get(%s) = %v", name, e)
		}
	}
	if c.Get("records/b.yaml") != nil || c.Get("records/z.yaml") != nil || c.Get("") != nil {
		t.Error("Get found a path the cache does not hold")
	}
	for _, paths := range [][]string{
		{"records/a.yaml", "records/b.yaml", "records/c.yaml", "records/d.yaml", "records/e.yaml", "records/f.yaml"},
		{"records/e.yaml", "records/b.yaml", "records/a.yaml"}, // not sorted: looked up one by one
	} {
		got := c.Match(paths)
		for i, p := range paths {
			want := c.Get(p)
			if got[i] != want {
				t.Errorf("Match(%v)[%d] = %v, want %v", paths, i, got[i], want)
			}
		}
	}
	if got := c.Outside([]string{"records/c"}); len(got) != 2 || got[0].Path != "records/a.yaml" || got[1].Path != "records/e.yaml" {
		t.Errorf("Outside = %v", got)
	}

	if err := Save(p, key, append(in, &Entry{Path: "records/a.yaml"})); err != nil {
		t.Fatal(err)
	}
	if c := Open(p, key); c.Len() != 0 || c.Why == "" {
		t.Errorf("a cache holding a path twice was read (%d entries)", c.Len())
	}
}
