package audit

import (
	"strings"
	"testing"
)

// A submodule or a symbolic link in the records folder, or at the policy
// file, is named: a submodule is no file to git's diff (the records a
// checkout of it finds were never judged), and a file turned into a link
// of the same content changes no blob.
func TestVerifyFileTypes(t *testing.T) {
	tr := newTestRepo(t)
	tr.people(defaultPolicy)
	tr.write(expensePath("EXP-2026-0003"), expense("EXP-2026-0003", "approved", "sun.li", "420.00"))
	tr.write("records/expenses/2026/tools.sh", "#!/bin/sh\n")
	imp := tr.commit("wang.fang", "import")
	cacheinfo := func(mode, blob, path string) {
		tr.git("update-index", "--add", "--cacheinfo", mode+","+blob+","+path)
	}
	blob := func(content string) string {
		p := tr.dir + "/.git/blob.tmp"
		tr.write(".git/blob.tmp", content)
		return tr.git("hash-object", "-w", p)
	}

	// A folder of next year's claims that is another repository.
	cacheinfo("160000", imp, "records/expenses/2027")
	gitlink := tr.commitAs("sun.li", "sun.li@example.com", "next year")
	// A record as a link whose target is a record's text.
	cacheinfo("120000", blob(expense("EXP-2026-0005", "draft", "sun.li", "10.00")), expensePath("EXP-2026-0005"))
	link := tr.commitAs("sun.li", "sun.li@example.com", "a claim as a link")
	// The policy and an approved claim turned into links of the same
	// content: no blob changes.
	cacheinfo("120000", tr.git("rev-parse", "HEAD:.opsbook.yaml"), ".opsbook.yaml")
	cacheinfo("120000", tr.git("rev-parse", "HEAD:"+expensePath("EXP-2026-0003")), expensePath("EXP-2026-0003"))
	flip := tr.commitAs("sun.li", "sun.li@example.com", "modes")
	// An executable bit is still a file, and a commit that leaves the
	// links as they were adds none.
	cacheinfo("100755", tr.git("rev-parse", "HEAD:records/expenses/2026/tools.sh"), "records/expenses/2026/tools.sh")
	tr.commitAs("sun.li", "sun.li@example.com", "executable")
	tr.git("reset", "-q", "--hard")
	tr.git("checkout", "-q", "-b", "side", imp)
	tr.write("notes.txt", "x")
	tr.commit("sun.li", "notes")
	tr.git("checkout", "-q", "main")
	tr.merge("wang.fang", "side")

	rep := tr.verify(imp + "..main")
	var got []string
	for _, v := range rep.Violations {
		if v.Rule == RuleFileType {
			got = append(got, short(v.Commit)+" "+v.Path+" "+v.Record)
		}
	}
	want := []string{
		short(gitlink) + " records/expenses/2027 ",
		short(link) + " " + expensePath("EXP-2026-0005") + " EXP-2026-0005",
		short(flip) + " .opsbook.yaml ",
		short(flip) + " " + expensePath("EXP-2026-0003") + " EXP-2026-0003",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("file-type violations:\n got %q\nwant %q", got, want)
	}
	for _, v := range rep.Violations {
		if v.Rule == RuleFileType && v.Actor != "sun.li" {
			t.Errorf("%s named for %q, not sun.li", v.Path, v.Actor)
		}
	}
}
