package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestReturnAfterACloseWithoutClosureLeft: a project closed before the
// move stamped closure.left (here: the stamp taken out again in a commit
// of its own, as an older opsbook wrote it) does not refuse the return of
// a member who had left when it closed: the history says who had left
// (the registry of the commit that closed it), so validate, the write's
// judgement and report projects owe them no closing appraisal. A member
// who was still there when it closed is owed one all the same.
func TestReturnAfterACloseWithoutClosureLeft(t *testing.T) {
	dir, env, step := closedWhileTwoHadLeft(t)
	p := filepath.Join(dir, "records/projects/2026/PRJ-2026-0001.yaml")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	old := strings.Replace(string(data), "  left: [zhou.jie, sun.li]\n", "", 1)
	if old == string(data) {
		t.Fatalf("the close did not stamp closure.left:\n%s", data)
	}
	if err := os.WriteFile(p, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("git", "commit", "-qam", "as an older opsbook closed it")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE=2026-11-26T14:30:00+08:00", "GIT_COMMITTER_DATE=2026-11-26T14:30:00+08:00")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	step("set", "sun.li", "active=true")
	step("validate")
	if out, _, code := runIn(t, dir, false, env, "report", "projects", "-o", "json"); code != 0 || strings.Contains(out, "sun.li") {
		t.Errorf("report projects lists sun.li as unappraised (exit %d):\n%s", code, out)
	}

	// closed while li.wei was there, and without her appraisal (written
	// by hand past the checks): she is owed it, by validate as before
	cmd = exec.Command("git", "reset", "-q", "--hard", "HEAD~1")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	data, _ = os.ReadFile(p)
	if err := os.WriteFile(p, []byte(strings.Replace(string(data), "team: [", "team: [li.wei, ", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, errs, code := runIn(t, dir, false, env, "validate"); code == 0 || !strings.Contains(out+errs, "appraisal of li.wei") {
		t.Errorf("validate does not owe li.wei her appraisal (exit %d):\n%s%s", code, out, errs)
	}
}
