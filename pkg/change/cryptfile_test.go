package change

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/attach"
	"github.com/opsbook/opsbook/pkg/crypt"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/rules"
)

// cryptDept is a department whose policy encrypts customers' attachments
// for the director and specialists; the keys are pkg/crypt's test keys.
func cryptDept(t *testing.T) map[string]string {
	t.Helper()
	pub := func(h string) string {
		b, err := os.ReadFile(filepath.Join("..", "crypt", "testdata", "keys", h+".pub"))
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(b))
	}
	clear := "contract 合同 clear-bytes-0815\n"
	sum := attach.SumBytes([]byte(clear))
	listed := func(id, file string) string {
		return "kind: customer\nid: " + id + "\nname: n\nattachments:\n  - path: " + file + "\n    sha256: \"" + sum + "\"\n"
	}
	return map[string]string{
		".opsbook.yaml":                   "currency: CNY\nencrypt:\n  customer:\n    readers: [director, specialist]\n    attachments: true\n",
		"records/people/wang.yaml":        "kind: person\nid: wang\nname: W\nrole: director\nemails: [wang@example.com]\nkeys:\n  - " + pub("wang.fang") + "\n",
		"records/people/li.yaml":          "kind: person\nid: li\nname: L\nrole: specialist\nreports_to: wang\nemails: [li@example.com]\nkeys:\n  - " + pub("li.wei") + "\n",
		"records/people/he.yaml":          "kind: person\nid: he\nname: H\nrole: finance\nemails: [he@example.com]\n",
		"records/customers/CUS-0001.yaml": listed("CUS-0001", "attachments/CUS-0001/a.txt"),
		"records/customers/CUS-0002.yaml": listed("CUS-0002", "attachments/CUS-0001/a.txt"),
		"records/customers/CUS-0003.yaml": listed("CUS-0003", "attachments/CUS-0003/b.txt"),
		"records/customers/CUS-0004.yaml": "kind: customer\nid: CUS-0004\nname: n\n",
		"attachments/CUS-0001/a.txt":      clear,
		"attachments/CUS-0003/b.txt":      clear,
	}
}

func objectsHold(t *testing.T, dir, s string) bool {
	t.Helper()
	cmd := exec.Command("git", "cat-file", "--batch-all-objects", "--batch")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Contains(out, []byte(s))
}

func TestAttachEncryptsForTheReaders(t *testing.T) {
	dir := repoWith(t, cryptDept(t))
	scan := filepath.Join(t.TempDir(), "c.pdf")
	os.WriteFile(scan, []byte("new contract clear-bytes-4242"), 0o644)
	s := open(t, dir, "li@example.com")
	res, err := attachFiles(t, s, "CUS-0004", scan)
	if err != nil {
		t.Fatal(err)
	}
	if files := git(t, dir, "show", "--name-only", "--format=", res.Commit); files != "attachments/CUS-0004/c.pdf.age\nrecords/customers/CUS-0004.yaml" {
		t.Fatalf("commit holds %q", files)
	}
	if objectsHold(t, dir, "clear-bytes-4242") {
		t.Fatal("the clear bytes are in git")
	}
	s.Close()
	s = open(t, dir, "li@example.com")
	rec, _ := s.Find("CUS-0004")
	e := rules.Listed(rec)[0]
	ct, _ := os.ReadFile(filepath.Join(dir, e.Path))
	if attach.SumBytes(ct) != e.SHA256 {
		t.Error("the listed hash is not the ciphertext's")
	}
	for _, h := range []string{"wang.fang", "li.wei"} {
		id, err := crypt.ReadIdentity(filepath.Join("..", "crypt", "testdata", "keys", h), nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := id.OpenFile(ct); err != nil || string(got) != "new contract clear-bytes-4242" {
			t.Errorf("%s: %q %v", h, got, err)
		}
	}
	id, _ := crypt.ReadIdentity(filepath.Join("..", "crypt", "testdata", "keys", "he.jing"), nil)
	if _, err := id.OpenFile(ct); !errors.Is(err, crypt.ErrNotReader) {
		t.Errorf("finance opens it: %v", err)
	}
	// The same name again by someone who cannot read the file there: it
	// cannot be compared, so it is refused, never overwritten.
	s.Close()
	_, err = attachFiles(t, open(t, dir, "he@example.com"), "CUS-0004", scan)
	if err == nil || !strings.Contains(err.Error(), "you cannot read it to compare") {
		t.Errorf("a non-reader attaching the same name: %v", err)
	}
}

// Readers without any key: nothing can be encrypted, the attach is
// refused and nothing changes.
func TestAttachRefusedWithoutReaderKeys(t *testing.T) {
	files := cryptDept(t)
	files[".opsbook.yaml"] = "currency: CNY\nencrypt:\n  customer:\n    readers: [finance]\n    attachments: true\n"
	dir := repoWith(t, files)
	head := git(t, dir, "rev-parse", "HEAD")
	scan := filepath.Join(t.TempDir(), "c.pdf")
	os.WriteFile(scan, []byte("x"), 0o644)
	_, err := attachFiles(t, open(t, dir, "li@example.com"), "CUS-0004", scan)
	var ref *Refused
	if !errors.As(err, &ref) || !strings.Contains(ref.Reason, "none of its readers (he) has a key") {
		t.Fatalf("got %v", err)
	}
	if git(t, dir, "rev-parse", "HEAD") != head || git(t, dir, "status", "--porcelain") != "" {
		t.Fatal("the repository changed")
	}
}

func TestEncryptClearAttachments(t *testing.T) {
	dir := repoWith(t, cryptDept(t))
	t.Setenv(crypt.IdentityEnv, filepath.Join("..", "crypt", "testdata", "keys", "wang.fang"))
	s := open(t, dir, "wang@example.com")
	// A file another record lists too is refused.
	rec, _ := s.Find("CUS-0001")
	if _, _, err := EncryptEdits(s, []*record.Record{rec}, false); err == nil || !strings.Contains(err.Error(), "is listed by CUS-0002 too") {
		t.Fatalf("shared file: %v", err)
	}
	// A file that differs from its listed hash is refused.
	os.WriteFile(filepath.Join(dir, "attachments/CUS-0003/b.txt"), []byte("changed"), 0o644)
	rec, _ = s.Find("CUS-0003")
	if _, _, err := EncryptEdits(s, []*record.Record{rec}, false); err == nil || !strings.Contains(err.Error(), "not the") {
		t.Fatalf("changed file: %v", err)
	}
	git(t, dir, "checkout", "--", "attachments")
	// A specialist may not.
	s.Close()
	li := open(t, dir, "li@example.com")
	if _, _, err := EncryptEdits(li, []*record.Record{rec}, false); err == nil {
		t.Fatal("a specialist encrypts")
	}
	li.Close()
	s = open(t, dir, "wang@example.com")
	rec, _ = s.Find("CUS-0003")
	edits, _, err := EncryptEdits(s, []*record.Record{rec}, false)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Apply(context.Background(), edits, Message{Kind: rec.Kind, ID: rec.ID, Action: "encrypt", Mechanical: true})
	if err != nil {
		t.Fatal(err)
	}
	show := git(t, dir, "show", "--name-status", "--format=", res.Commit)
	if show != "D\tattachments/CUS-0003/b.txt\nA\tattachments/CUS-0003/b.txt.age\nM\trecords/customers/CUS-0003.yaml" {
		t.Fatalf("commit: %q", show)
	}
	if _, err := os.Stat(filepath.Join(dir, "attachments/CUS-0003/b.txt")); err == nil {
		t.Error("the clear file is still in the work tree")
	}
	if st := git(t, dir, "status", "--porcelain"); st != "" {
		t.Errorf("work tree: %s", st)
	}
	// Rekey leaves a file already written for its readers as it is.
	s.Close()
	s = open(t, dir, "wang@example.com")
	rec, _ = s.Find("CUS-0003")
	edits, _, err = EncryptEdits(s, []*record.Record{rec}, true)
	if err != nil || len(edits) != 0 {
		t.Fatalf("rekey of a file already right: %v %v", edits, err)
	}
}
