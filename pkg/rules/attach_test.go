package rules

import (
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/opsbook/opsbook/pkg/attach"
	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/record"
)

// checkDir runs the rules over one expense with attachments in a real
// folder, with the default file look-ups (no symbolic link followed).
func checkDir(t *testing.T, root, text string, pending map[string][]byte) []diag.Diagnostic {
	t.Helper()
	var recs []*record.Record
	for p, s := range base {
		r, _ := record.Parse(p, []byte(s))
		recs = append(recs, r)
	}
	r, ds := record.Parse(expPath, []byte(text))
	if r == nil || len(ds) > 0 {
		t.Fatalf("parse: %v", ds)
	}
	recs = append(recs, r)
	return Check(&Context{Set: record.NewSet(recs), Policy: config.Default(), Now: now, Root: root, Pending: pending})
}

func write(t *testing.T, root, rel, data string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func listed(entries ...string) string {
	var b strings.Builder
	b.WriteString("attachments:\n")
	for i := 0; i+1 < len(entries); i += 2 {
		b.WriteString("  - path: " + entries[i] + "\n    sha256: " + entries[i+1] + "\n")
	}
	return b.String()
}

func TestAttachmentsListed(t *testing.T) {
	root := t.TempDir()
	const rel = "attachments/EXP-2026-0001/taxi.txt"
	write(t, root, rel, "taxi 86.00\n")
	good := attach.SumBytes([]byte("taxi 86.00\n"))
	other := attach.SumBytes([]byte("something else\n"))
	outside := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(outside, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	write(t, root, "elsewhere/r.txt", "r")
	if err := os.Symlink("/etc/passwd", filepath.Join(root, "attachments/EXP-2026-0001/passwd")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Dir(outside), filepath.Join(root, "attachments/EXP-2026-0009")); err != nil {
		t.Fatal(err)
	}
	receipt := "receipt: " + rel + "\n"
	cases := []struct {
		name, text string
		pending    map[string][]byte
		rule       string // "" for no attachment diagnostic
		sev        diag.Severity
		field      string // where it points
		msg        string
	}{
		{"listed and matching", expense("submitted", "86.00", receipt+listed(rel, good)), nil, "", diag.Error, "", ""},
		{"changed after it was attached", expense("submitted", "86.00", receipt+listed(rel, other)), nil, "attachment-hash", diag.Error, "attachments.0.sha256", "not the " + other},
		{"changed, even in a draft", expense("draft", "86.00", listed(rel, other)), nil, "attachment-hash", diag.Error, "attachments.0.sha256", "changed after"},
		{"a link to /etc/passwd", expense("draft", "86.00", listed("attachments/EXP-2026-0001/passwd", good)), nil, "attachment-type", diag.Error, "attachments.0.path", "a symbolic link"},
		{"a folder that is a link", expense("draft", "86.00", listed("attachments/EXP-2026-0009/secret", attach.SumBytes([]byte("x")))), nil, "attachment-type", diag.Error, "attachments.0.path", "a symbolic link"},
		{"a named link is not present", expense("draft", "86.00", "receipt: attachments/EXP-2026-0001/passwd\n"), nil, "attachment-missing", diag.Warning, "receipt", "is a symbolic link, which does not count as present"},
		{"a named link, submitted", expense("submitted", "86.00", "receipt: attachments/EXP-2026-0001/passwd\n"), nil, "attachment-missing", diag.Error, "receipt", "is a symbolic link"},
		{"listed and missing", expense("draft", "86.00", listed("attachments/EXP-2026-0001/gone.txt", good)), nil, "attachment-missing", diag.Error, "attachments.0.path", "does not exist"},
		{"outside attachments/", expense("draft", "86.00", listed("elsewhere/r.txt", attach.SumBytes([]byte("r")))), nil, "attachment-path", diag.Error, "attachments.0.path", "outside attachments/"},
		{"escaping with ..", expense("draft", "86.00", listed("attachments/../elsewhere/r.txt", attach.SumBytes([]byte("r")))), nil, "attachment-path", diag.Error, "attachments.0.path", "'..'"},
		{"listed twice", expense("draft", "86.00", listed(rel, good, rel, good)), nil, "attachment-path", diag.Error, "attachments.1.path", "listed twice"},
		{"named, not listed, draft", expense("draft", "86.00", receipt), nil, "attachment-unlisted", diag.Warning, "receipt", "not in the record's attachments list"},
		{"named, not listed, submitted", expense("submitted", "86.00", receipt), nil, "attachment-unlisted", diag.Error, "receipt", "required once the record is submitted"},
		{"about to be written", expense("submitted", "86.00", "receipt: attachments/EXP-2026-0001/new.txt\n"+listed("attachments/EXP-2026-0001/new.txt", attach.SumBytes([]byte("new")))), map[string][]byte{"attachments/EXP-2026-0001/new.txt": []byte("new")}, "", diag.Error, "", ""},
		{"about to be written, other content", expense("draft", "86.00", listed("attachments/EXP-2026-0001/new.txt", good)), map[string][]byte{"attachments/EXP-2026-0001/new.txt": []byte("new")}, "attachment-hash", diag.Error, "attachments.0.sha256", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds := checkDir(t, root, c.text, c.pending)
			var got []diag.Diagnostic
			for _, d := range ds {
				if strings.HasPrefix(d.Rule, "attachment-") {
					got = append(got, d)
				}
			}
			if c.rule == "" {
				if len(got) > 0 {
					t.Fatalf("want no attachment diagnostic, got %v", got)
				}
				return
			}
			rec, _ := record.Parse(expPath, []byte(c.text))
			line, col := rec.Pos(c.field)
			for _, d := range got {
				if d.Rule == c.rule && d.Severity == c.sev && d.Line == line && d.Column == col && d.Path == expPath && strings.Contains(d.Message, c.msg) {
					return
				}
			}
			t.Fatalf("want %s %v at %s (%d:%d) containing %q, got %v", c.rule, c.sev, c.field, line, col, c.msg, got)
		})
	}
}

func TestAttachStat(t *testing.T) {
	root := t.TempDir()
	write(t, root, "attachments/A/f.txt", "f")
	if err := os.Link(filepath.Join(root, "attachments/A/f.txt"), filepath.Join(root, "attachments/A/hard.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("f.txt", filepath.Join(root, "attachments/A/soft.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(root, "attachments/A/dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	for rel, want := range map[string]attach.State{
		"attachments/A/f.txt":    attach.Regular,
		"attachments/A/hard.txt": attach.Regular, // a hard link is the file itself; its hash still guards it
		"attachments/A/soft.txt": attach.Link,
		"attachments/A/dir":      attach.Other,
		"attachments/A/none":     attach.Missing,
		"attachments/A/f.txt/x":  attach.Missing,
		"attachments/../A":       attach.Other,
	} {
		if got := attach.Stat(root, rel); got != want {
			t.Errorf("%s: %v, want %v", rel, got, want)
		}
	}
	if _, err := attach.Sum(root, "attachments/A/soft.txt"); err == nil {
		t.Error("Sum followed a symbolic link")
	}
}

// TestAttachmentHashedOnce: a file many records list is hashed once a run
// (copies of one contract across 100,000 records hashed it 100,000 times).
func TestAttachmentHashedOnce(t *testing.T) {
	root := t.TempDir()
	const rel = "attachments/EXP-2026-0001/taxi.txt"
	write(t, root, rel, "taxi 86.00\n")
	good := attach.SumBytes([]byte("taxi 86.00\n"))
	var recs []*record.Record
	for p, s := range base {
		r, _ := record.Parse(p, []byte(s))
		recs = append(recs, r)
	}
	for _, id := range []string{"EXP-2026-0001", "EXP-2026-0002", "EXP-2026-0003"} {
		text := strings.Replace(expense("draft", "86.00", listed(rel, good)), "id: EXP-2026-0001", "id: "+id, 1)
		r, ds := record.Parse("records/expenses/2026/"+id+".yaml", []byte(text))
		if r == nil || len(ds) > 0 {
			t.Fatalf("parse: %v", ds)
		}
		recs = append(recs, r)
	}
	var calls atomic.Int64
	sum := func(rel string) (string, error) { calls.Add(1); return attach.Sum(root, rel) }
	for _, d := range Check(&Context{Set: record.NewSet(recs), Policy: config.Default(), Now: now, Root: root, Sum: sum}) {
		if strings.HasPrefix(d.Rule, "attachment-") {
			t.Errorf("unexpected %v", d)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("hashed %d times, want once", n)
	}
}
