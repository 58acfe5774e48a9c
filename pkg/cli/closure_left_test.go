package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestClosedWhileAMemberHadLeft: a project closed while one of its team had
// left names them in closure.left, so their return does not make the
// closed project owe them an appraisal (nobody could write it while they
// were gone), and verify accepts the stamp.
func TestClosedWhileAMemberHadLeft(t *testing.T) {
	dir, env, step := closedWhileTwoHadLeft(t)
	data, err := os.ReadFile(filepath.Join(dir, "records/projects/2026/PRJ-2026-0001.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "  left: [zhou.jie, sun.li]\n") {
		t.Fatalf("the close did not stamp closure.left:\n%s", data)
	}
	step("set", "sun.li", "active=true")
	step("verify", "HEAD~5..HEAD")
	if out, _, code := runIn(t, dir, false, env, "report", "projects", "-o", "json"); code != 0 || strings.Contains(out, "sun.li") {
		t.Errorf("report projects lists sun.li as unappraised (exit %d):\n%s", code, out)
	}
	// nobody writes it by hand, even the director
	if out, errs, code := runIn(t, dir, false, env, "set", "PRJ-2026-0001", "closure.left.0=li.wei"); code != ExitRefused {
		t.Errorf("closure.left written by hand: exit %d\n%s%s", code, out, errs)
	}
}

// closedWhileTwoHadLeft is a copy of the sample, as its director, in
// which sun.li and zhou.jie of PRJ-2026-0001's team left and the project
// was then closed: its folder, the environment its commands run with, and
// step, which runs one there and fails the test when it fails.
func closedWhileTwoHadLeft(t *testing.T) (string, map[string]string, func(args ...string)) {
	t.Helper()
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	dir := sampleRepo(t, "wang.fang@example.com")
	t.Setenv("HOME", dir)
	env := map[string]string{"OPSBOOK_NOW": "2026-11-26T15:00:00+08:00"}
	step := func(args ...string) {
		t.Helper()
		if out, errs, code := runIn(t, dir, false, env, args...); code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", args, code, out, errs)
		}
	}
	step("set", "PRJ-2026-0001", "closure.summary=done", "closure.lessons+=plan early")
	step("set", "sun.li", "active=false")
	step("set", "zhou.jie", "active=false")
	step("close", "PRJ-2026-0001")
	return dir, env, step
}
