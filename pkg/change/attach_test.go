package change

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/attach"
	"github.com/opsbook/opsbook/pkg/record"
)

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=W", "GIT_AUTHOR_EMAIL=wang@example.com", "GIT_COMMITTER_NAME=W", "GIT_COMMITTER_EMAIL=wang@example.com", "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir,
		"GIT_AUTHOR_DATE="+now.Format(time.RFC3339), "GIT_COMMITTER_DATE="+now.Format(time.RFC3339))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

const draftPath = "records/expenses/2026/EXP-2026-0008.yaml"

func attachDept() map[string]string {
	files := map[string]string{}
	for k, v := range dept {
		files[k] = v
	}
	files[draftPath] = "kind: expense\nid: EXP-2026-0008\ntitle: t\nstatus: draft\nclaimant: li\ndate: 2026-03-02\ncategory: office\namount: 9.00\nreceipt: attachments/EXP-2026-0008/taxi.txt\n"
	return files
}

// attachFiles runs what `opsbook attach` does.
func attachFiles(t *testing.T, s *Session, id string, files ...string) (*Result, error) {
	t.Helper()
	srcs, err := ReadSources(files)
	if err != nil {
		return nil, err
	}
	rec, err := s.Find(id)
	if err != nil {
		t.Fatal(err)
	}
	src, err := record.ReadFile(s.Repo.Root, rec.Path)
	if err != nil {
		t.Fatal(err)
	}
	edits, err := AttachEdits(s, rec, rec.Path, rec.ID, src, srcs)
	if err != nil {
		return nil, err
	}
	return s.Apply(context.Background(), edits, Message{Kind: rec.Kind, ID: rec.ID, Action: "attach"})
}

func TestAttachCommitsRecordAndFilesTogether(t *testing.T) {
	dir := repoWith(t, attachDept())
	scan := filepath.Join(t.TempDir(), "taxi.txt")
	os.WriteFile(scan, []byte("taxi 9.00\n"), 0o644)
	s := open(t, dir, "li@example.com")
	res, err := attachFiles(t, s, "EXP-2026-0008", scan)
	if err != nil {
		t.Fatal(err)
	}
	files := git(t, dir, "show", "--name-only", "--format=", res.Commit)
	if files != "attachments/EXP-2026-0008/taxi.txt\n"+draftPath {
		t.Fatalf("commit holds %q", files)
	}
	if st := git(t, dir, "status", "--porcelain"); st != "" {
		t.Fatalf("work tree not clean: %s", st)
	}
	text, _ := os.ReadFile(filepath.Join(dir, draftPath))
	want := "attachments:\n  - path: attachments/EXP-2026-0008/taxi.txt\n    sha256: \"" + attach.SumBytes([]byte("taxi 9.00\n")) + "\"\n"
	if !strings.HasSuffix(string(text), want) {
		t.Fatalf("record:\n%s\nwant it to end with\n%s", text, want)
	}
}

// refusedMove submits the draft and expects a refusal naming want, with
// the repository left as it was.
func refusedMove(t *testing.T, dir, want string) {
	t.Helper()
	head, status := git(t, dir, "rev-parse", "HEAD"), git(t, dir, "status", "--porcelain")
	s := open(t, dir, "li@example.com")
	rec, _ := s.Find("EXP-2026-0008")
	edits, err := MoveEdits(s, rec, "submitted", "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Apply(context.Background(), edits, Message{Kind: rec.Kind, ID: rec.ID, Action: "submit"})
	var ref *Refused
	if !errors.As(err, &ref) || ref.Invalid || !strings.Contains(err.Error(), want) {
		t.Fatalf("submit: %v, want a refusal containing %q", err, want)
	}
	if h, st := git(t, dir, "rev-parse", "HEAD"), git(t, dir, "status", "--porcelain"); h != head || st != status {
		t.Fatalf("repository changed: HEAD %s → %s, status %q → %q", head, h, status, st)
	}
	s.Close()
}

func TestMoveRefusesAttachmentsNotCommitted(t *testing.T) {
	const rel = "attachments/EXP-2026-0008/taxi.txt"
	sum := attach.SumBytes([]byte("taxi 9.00\n"))
	listed := "attachments:\n  - path: " + rel + "\n    sha256: \"" + sum + "\"\n"
	for _, c := range []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  string
	}{
		{"untracked", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, rel), []byte("taxi 9.00\n"), 0o644)
		}, "is not committed as it is"},
		{"modified since HEAD", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, rel), []byte("taxi 9.00\n"), 0o644)
			git(t, dir, "add", "-A")
			git(t, dir, "commit", "-qm", "receipt")
			os.WriteFile(filepath.Join(dir, rel), []byte("taxi 90.00\n"), 0o644)
		}, "has SHA-256"},
		{"staged but not committed", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, rel), []byte("taxi 9.00\n"), 0o644)
			git(t, dir, "add", "-A")
		}, "is not committed as it is"},
		{"a symbolic link", func(t *testing.T, dir string) {
			other := filepath.Join(t.TempDir(), "taxi.txt")
			os.WriteFile(other, []byte("taxi 9.00\n"), 0o644)
			os.Symlink(other, filepath.Join(dir, rel))
		}, "is a symbolic link"},
		{"the wrong hash, committed", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, rel), []byte("taxi 99.00\n"), 0o644)
			git(t, dir, "add", "-A")
			git(t, dir, "commit", "-qm", "receipt")
		}, "not the " + sum},
		{"missing", func(t *testing.T, dir string) {}, "does not exist"},
	} {
		t.Run(c.name, func(t *testing.T) {
			files := attachDept()
			files[draftPath] += listed
			dir := repoWith(t, files)
			os.MkdirAll(filepath.Join(dir, "attachments/EXP-2026-0008"), 0o755)
			c.setup(t, dir)
			refusedMove(t, dir, c.want)
		})
	}
	// committed as listed, the same move is made
	files := attachDept()
	files[draftPath] += listed
	files[rel] = "taxi 9.00\n"
	dir := repoWith(t, files)
	s := open(t, dir, "li@example.com")
	rec, _ := s.Find("EXP-2026-0008")
	edits, _ := MoveEdits(s, rec, "submitted", "")
	if _, err := s.Apply(context.Background(), edits, Message{Kind: rec.Kind, ID: rec.ID, Action: "submit"}); err != nil {
		t.Fatal(err)
	}
}

func TestAttachRefusals(t *testing.T) {
	dir := repoWith(t, attachDept())
	tmp := t.TempDir()
	a := filepath.Join(tmp, "a", "taxi.txt")
	b := filepath.Join(tmp, "b", "taxi.txt")
	os.MkdirAll(filepath.Dir(a), 0o755)
	os.MkdirAll(filepath.Dir(b), 0o755)
	os.WriteFile(a, []byte("one"), 0o644)
	os.WriteFile(b, []byte("two"), 0o644)
	link := filepath.Join(tmp, "link.txt")
	os.Symlink("/etc/passwd", link)
	hard := filepath.Join(tmp, "hard.txt")
	os.Link(a, hard)

	s := open(t, dir, "li@example.com")
	if _, err := attachFiles(t, s, "EXP-2026-0008", link); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("a symbolic link: %v", err)
	}
	if _, err := attachFiles(t, s, "EXP-2026-0008", a, b); err == nil || !strings.Contains(err.Error(), "two different files") {
		t.Fatalf("two files of one name: %v", err)
	}
	// a hard link is the file's content: attached as a copy
	if _, err := attachFiles(t, s, "EXP-2026-0008", hard); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, dir, "li@example.com")
	head := git(t, dir, "rev-parse", "HEAD")
	// the same name with other content is never written over
	os.WriteFile(filepath.Join(tmp, "hard2"), nil, 0o644)
	c := filepath.Join(tmp, "c", "hard.txt")
	os.MkdirAll(filepath.Dir(c), 0o755)
	os.WriteFile(c, []byte("other"), 0o644)
	if _, err := attachFiles(t, s, "EXP-2026-0008", c); err == nil || !strings.Contains(err.Error(), "already exists with other content") {
		t.Fatalf("overwrite: %v", err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "attachments/EXP-2026-0008/hard.txt")); string(got) != "one" || git(t, dir, "rev-parse", "HEAD") != head {
		t.Fatalf("the attached file or HEAD changed")
	}
	// a folder on the way that is a link is never written through
	s.Close()
	os.Rename(filepath.Join(dir, "attachments"), filepath.Join(tmp, "moved"))
	os.Symlink(filepath.Join(tmp, "moved"), filepath.Join(dir, "attachments"))
	s = open(t, dir, "li@example.com")
	if _, err := attachFiles(t, s, "EXP-2026-0008", b); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("through a linked folder: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(tmp, "moved", "EXP-2026-0008", "taxi.txt")); err == nil {
		t.Fatal("wrote through the link")
	}
}

func TestSafeNames(t *testing.T) {
	for _, bad := range []string{".hidden", "..", "taxi 2.jpg", "a\u3000b", "a\nb", "x\u202eexe.pdf", "a:b", ""} {
		if attach.SafeName(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	for _, good := range []string{"收據.pdf", "taxi_2.jpg", "invoice-1.txt"} {
		if err := attach.SafeName(good); err != nil {
			t.Errorf("%q: %v", good, err)
		}
	}
}

// A file changed in the work tree between opsbook's write and its commit
// is committed under the wrong hash: checkCommitted compares the commit's
// blobs with what was hashed and says so.
func TestCheckCommittedNamesAFileChangedBeforeTheCommit(t *testing.T) {
	files := attachDept()
	files["attachments/EXP-2026-0008/taxi.txt"] = "what git holds\n"
	dir := repoWith(t, files)
	s := open(t, dir, "li@example.com")
	head := git(t, dir, "rev-parse", "HEAD")
	edits := []Edit{{Path: "attachments/EXP-2026-0008/taxi.txt", Data: []byte("what was hashed\n"), File: true}}
	err := s.checkCommitted(head, edits)
	if err == nil || !strings.Contains(err.Error(), "attachments/EXP-2026-0008/taxi.txt with other content") {
		t.Fatalf("checkCommitted: %v", err)
	}
	edits[0].Data = []byte("what git holds\n")
	if err := s.checkCommitted(head, edits); err != nil {
		t.Fatal(err)
	}
}
