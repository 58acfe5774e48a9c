package audit

import (
	"strings"
	"testing"
	"time"
)

// A second root commit, merged in as an unrelated history, is not judged
// by the registry it brings itself: anyone could start a history whose
// people make them leadership, approve their own claim there, and merge it.
// Over all of history it is judged by the people and policy of HEAD's own
// root, so its self-made registry is refused and does not count for the
// commits after it; over a range, by BASE's, as every commit.
func TestVerifyUnrelatedRoot(t *testing.T) {
	tr := honest(t)
	base := tr.git("rev-parse", "HEAD")
	tr.git("checkout", "-q", "--orphan", "evil")
	tr.git("rm", "-rqf", ".")
	tr.write(".opsbook.yaml", defaultPolicy)
	tr.write("records/people/li.wei.yaml", person("li.wei", "specialist", "", "", ""))
	tr.write("records/people/boss.yaml", strings.Replace(person("boss", "leadership", "", "", ""), "boss@example.com", "li.wei+boss@example.com", 1))
	tr.git("add", "-A")
	root := tr.commitAs("boss", "li.wei+boss@example.com", "registry")
	tr.write(expensePath("EXP-2026-0099"), expense("EXP-2026-0099", "draft", "li.wei", "48000.00"))
	tr.commit("li.wei", "claim")
	tr.edit(expensePath("EXP-2026-0099"), "status: draft", "status: submitted")
	tr.commit("li.wei", "submit")
	tr.edit(expensePath("EXP-2026-0099"), "status: submitted", "status: approved")
	tr.git("add", "-A")
	approve := tr.commitAs("boss", "li.wei+boss@example.com", "approve")
	tr.git("checkout", "-q", "main")
	tr.when = tr.when.Add(time.Hour)
	tr.gitEnv([]string{"GIT_AUTHOR_NAME=wang.fang", "GIT_AUTHOR_EMAIL=wang.fang@example.com", "GIT_COMMITTER_NAME=wang.fang",
		"GIT_COMMITTER_EMAIL=wang.fang@example.com", "GIT_AUTHOR_DATE=" + tr.when.Format(time.RFC3339), "GIT_COMMITTER_DATE=" + tr.when.Format(time.RFC3339)},
		"merge", "-q", "--no-ff", "--no-edit", "--allow-unrelated-histories", "-X", "ours", "evil")
	want := []string{
		short(root) + " actor-unknown boss",
		short(root) + " actor-unknown li.wei",
		short(root) + " actor-unknown ",
		short(approve) + " actor-unknown EXP-2026-0099",
	}
	rep := tr.verify("")
	got := strings.Join(violationList(rep), "\n")
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("all of history: %q not named; got\n%s", w, got)
		}
	}
	rep = tr.verify(base + "..HEAD")
	got = strings.Join(violationList(rep), "\n")
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("range: %q not named; got\n%s", w, got)
		}
	}
}
