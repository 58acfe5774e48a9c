package audit

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// testRepo is a real git repository in a temporary folder, made with the
// git command as a user would, with fixed authors and dates.
type testRepo struct {
	t    *testing.T
	dir  string
	when time.Time
	// sign, when set, signs every commit: git -c gpg.format=... arguments.
	sign []string
}

func needGit(t testing.TB) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
}

func newTestRepo(t *testing.T) *testRepo {
	t.Helper()
	needGit(t)
	tr := &testRepo{t: t, dir: t.TempDir(), when: time.Date(2026, 3, 2, 9, 0, 0, 0, time.FixedZone("", 8*3600))}
	tr.git("init", "-q", "-b", "main")
	tr.git("config", "commit.gpgsign", "false")
	return tr
}

func (tr *testRepo) env() []string {
	return []string{"GIT_CONFIG_NOSYSTEM=1", "HOME=" + tr.dir, "GIT_CONFIG_GLOBAL=" + filepath.Join(tr.dir, ".git", "no-global"),
		"TZ=Asia/Shanghai", "LC_ALL=C"}
}

func (tr *testRepo) git(args ...string) string {
	tr.t.Helper()
	return tr.gitEnv(nil, args...)
}

func (tr *testRepo) gitEnv(env []string, args ...string) string {
	tr.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = tr.dir
	cmd.Env = append(append(os.Environ(), tr.env()...), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		tr.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func (tr *testRepo) write(path, content string) {
	tr.t.Helper()
	p := filepath.Join(tr.dir, filepath.FromSlash(path))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tr.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		tr.t.Fatal(err)
	}
}

// edit replaces old with new in a file, which must contain it.
func (tr *testRepo) edit(path, old, new string) {
	tr.t.Helper()
	b, err := os.ReadFile(filepath.Join(tr.dir, path))
	if err != nil {
		tr.t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		tr.t.Fatalf("%s does not contain %q", path, old)
	}
	tr.write(path, strings.Replace(string(b), old, new, 1))
}

// commit commits everything as who (a handle: who@example.com) with the
// next fixed date, and returns the commit's hash.
func (tr *testRepo) commit(who, msg string, extra ...string) string {
	tr.t.Helper()
	tr.git("add", "-A")
	return tr.commitAs(who, who+"@example.com", msg, extra...)
}

func (tr *testRepo) commitAs(name, email, msg string, extra ...string) string {
	tr.t.Helper()
	tr.when = tr.when.Add(time.Hour)
	d := tr.when.Format(time.RFC3339)
	env := []string{"GIT_AUTHOR_NAME=" + name, "GIT_AUTHOR_EMAIL=" + email, "GIT_AUTHOR_DATE=" + d,
		"GIT_COMMITTER_NAME=" + name, "GIT_COMMITTER_EMAIL=" + email, "GIT_COMMITTER_DATE=" + d}
	args := append(append([]string{}, tr.sign...), "commit", "-q", "--allow-empty", "-m", msg)
	tr.gitEnv(env, append(args, extra...)...)
	return tr.git("rev-parse", "HEAD")
}

// merge merges branch into the current branch with a merge commit.
func (tr *testRepo) merge(who, branch string) string {
	tr.t.Helper()
	tr.when = tr.when.Add(time.Hour)
	d := tr.when.Format(time.RFC3339)
	env := []string{"GIT_AUTHOR_NAME=" + who, "GIT_AUTHOR_EMAIL=" + who + "@example.com", "GIT_AUTHOR_DATE=" + d,
		"GIT_COMMITTER_NAME=" + who, "GIT_COMMITTER_EMAIL=" + who + "@example.com", "GIT_COMMITTER_DATE=" + d}
	tr.gitEnv(env, "merge", "-q", "--no-ff", "--no-edit", branch)
	return tr.git("rev-parse", "HEAD")
}

func (tr *testRepo) open() *Repo {
	tr.t.Helper()
	r, err := Open(tr.dir)
	if err != nil {
		tr.t.Fatal(err)
	}
	tr.t.Cleanup(func() { r.Close() })
	return r
}

func (tr *testRepo) verify(rng string) *Report {
	tr.t.Helper()
	rep, err := tr.open().Verify(context.Background(), VerifyOptions{Range: rng})
	if err != nil {
		tr.t.Fatalf("verify %s: %v", rng, err)
	}
	return rep
}

// people writes the registry and the policy: a director, two managers,
// leadership, finance and two specialists.
func (tr *testRepo) people(policy string) {
	tr.write(".opsbook.yaml", policy)
	for _, p := range [][4]string{
		{"wang.fang", "director", "", "wangfang"},
		{"zhang.min", "manager", "wang.fang", "zhangmin"},
		{"chen.hao", "manager", "wang.fang", ""},
		{"huang.jianguo", "leadership", "", "huangjg"},
		{"he.jing", "finance", "", "hejing"},
		{"li.wei", "specialist", "zhang.min", "liwei"},
		{"sun.li", "specialist", "chen.hao", ""},
	} {
		tr.write("records/people/"+p[0]+".yaml", person(p[0], p[1], p[2], p[3], ""))
	}
}

func person(handle, role, reportsTo, forge, keys string) string {
	s := fmt.Sprintf("kind: person\nid: %s\nname: %s\nrole: %s\nemails: [%s@example.com]\n", handle, handle, role, handle)
	if reportsTo != "" {
		s += "reports_to: " + reportsTo + "\n"
	}
	if forge != "" {
		s += "forge: " + forge + "\n"
	}
	if keys != "" {
		s += "keys:\n" + keys
	}
	return s + "active: true\n"
}

func expense(id, status, claimant, amount string) string {
	return fmt.Sprintf(`kind: expense
id: %s
title: 上海客戶拜訪差旅
status: %s
claimant: %s
date: 2026-03-02
category: travel
amount: %s
`, id, status, claimant, amount)
}

func expensePath(id string) string { return "records/expenses/2026/" + id + ".yaml" }

// rules lists "short-commit rule record" for each violation, sorted.
func violationList(rep *Report) []string {
	var out []string
	for _, v := range rep.Violations {
		out = append(out, fmt.Sprintf("%s %s %s", v.Commit[:7], v.Rule, v.Record))
	}
	sort.Strings(out)
	return out
}

func short(h string) string { return h[:7] }

func wantViolations(t *testing.T, rep *Report, want ...string) {
	t.Helper()
	sort.Strings(want)
	got := violationList(rep)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		var msgs []string
		for _, v := range rep.Violations {
			msgs = append(msgs, fmt.Sprintf("  %s %s %s %s: %s", v.Commit[:7], v.Record, v.Rule, v.Actor, v.Message))
		}
		t.Errorf("violations:\n got %q\nwant %q\n%s", got, want, strings.Join(msgs, "\n"))
	}
}

// submittedClaim is a department with the default policy, imported by the
// director, in which sun.li filed EXP-2026-0001 (300.00) and submitted it,
// each in a commit of her own.
func submittedClaim(t *testing.T) *testRepo {
	t.Helper()
	tr := newTestRepo(t)
	tr.people(defaultPolicy)
	tr.commit("wang.fang", "import")
	tr.write(expensePath("EXP-2026-0001"), expense("EXP-2026-0001", "draft", "sun.li", "300.00"))
	tr.commit("sun.li", "new claim")
	tr.edit(expensePath("EXP-2026-0001"), "status: draft", "status: submitted")
	tr.commit("sun.li", "submit")
	return tr
}
