package audit

import (
	"strings"
	"testing"
)

// TestVerifyMailmap: a committed .mailmap that makes git log show li.wei's
// approval of her own claim as her manager's (git log reads it by default,
// in every clone) is named, line by line, as is one that shows an
// unregistered identity's commits as a person's, or a person's commits
// under another person's name. One that shows each person's commits as
// their own (an alias of their name, one of their registered emails)
// passes. A merge that brings it is not named again.
func TestVerifyMailmap(t *testing.T) {
	tr := submittedClaim(t)
	base := tr.git("rev-parse", "HEAD")
	tr.git("checkout", "-q", "-b", "side")
	tr.write(".mailmap", "# the team's aliases\nsun.li <sun.li@example.com>\nLi Wei <li.wei@example.com> <li.wei@example.com>\n")
	tr.commit("li.wei", "aliases")
	tr.write(".mailmap", "# the team's aliases\nsun.li <sun.li@example.com>\n"+
		"zhang.min <zhang.min@example.com> <li.wei@example.com>\n"+
		"<zhang.min@example.com> li.wei <li.wei.home@example.com>\n"+
		"zhang.min <sun.li@example.com>\n")
	bad := tr.commit("li.wei", "mailmap")
	tr.git("checkout", "-q", "main")
	tr.edit(expensePath("EXP-2026-0001"), "status: submitted", "status: approved")
	tr.commit("li.wei", "approve")
	tr.merge("wang.fang", "side") // brings the .mailmap: named once, in its commit

	rep := tr.verify(base + "..main")
	var got []string
	for _, v := range rep.Violations {
		if v.Rule == RuleMailmap {
			if v.Commit != bad || v.Path != ".mailmap" {
				t.Errorf("%s %s: %s", v.Commit[:7], v.Path, v.Message)
			}
			got = append(got, strings.SplitN(v.Message, ":", 2)[0])
		}
	}
	want := []string{
		".mailmap makes git log, git blame and git shortlog show the commits of <li.wei@example.com> as zhang.min@example.com's",
		".mailmap makes git log, git blame and git shortlog show the commits of li.wei <li.wei.home@example.com> as zhang.min@example.com's",
		".mailmap makes git log, git blame and git shortlog show the commits of <sun.li@example.com> as zhang.min's",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("mailmap violations:\n got %q\nwant %q", got, want)
	}
	lines := map[int]bool{}
	for _, v := range rep.Violations {
		if v.Rule == RuleMailmap {
			lines[v.Line] = true
		}
	}
	if !lines[3] || !lines[4] || !lines[5] {
		t.Errorf("lines %v, want 3, 4 and 5", lines)
	}
}
