package audit

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// TestVerifyKindAndIDFieldsInPlace: a file whose kind or id field is
// edited in place (the file keeps its name and folder) is named. list and
// show read the id the file states, so an approved claim that says `id:
// EXP-2026-0009` would be another claim to them; the rights never judge
// these two fields, which only a renumbering (a move of the file) changes.
// A renumbering itself passes.
func TestVerifyKindAndIDFieldsInPlace(t *testing.T) {
	tr := newTestRepo(t)
	tr.people(defaultPolicy)
	tr.write(expensePath("EXP-2026-0003"), expense("EXP-2026-0003", "approved", "sun.li", "420.00"))
	tr.write(expensePath("EXP-2026-0004"), expense("EXP-2026-0004", "approved", "sun.li", "88.00"))
	tr.write(expensePath("EXP-2026-0005"), expense("EXP-2026-0005", "draft", "sun.li", "10.00"))
	imp := tr.commit("wang.fang", "import")

	tr.write(expensePath("EXP-2026-0003"), strings.Replace(expense("EXP-2026-0003", "approved", "sun.li", "420.00"), "id: EXP-2026-0003", "id: EXP-2026-0009", 1))
	id := tr.commit("sun.li", "id in place")
	tr.write(expensePath("EXP-2026-0004"), strings.Replace(expense("EXP-2026-0004", "approved", "sun.li", "88.00"), "kind: expense", "kind: task", 1))
	kind := tr.commit("sun.li", "kind in place")
	// the claimant renumbers her draft: the file moves with its id
	tr.git("rm", "-q", expensePath("EXP-2026-0005"))
	tr.write(expensePath("EXP-2026-0015"), expense("EXP-2026-0015", "draft", "sun.li", "10.00"))
	tr.commit("sun.li", "renumber")

	rep := tr.verify(imp + "..main")
	wantViolations(t, rep, short(id)+" sealed-field EXP-2026-0003", short(kind)+" sealed-field EXP-2026-0004")
	for _, v := range rep.Violations {
		if !strings.Contains(v.Message, "in place") && !strings.Contains(v.Message, "kind never changes") {
			t.Errorf("%s: %s", v.Commit[:7], v.Message)
		}
	}
}

// TestVerifyRefusesTreeWithDuplicateEntry: a commit whose tree names an
// approved claim twice (made with git hash-object -t tree --literally) is
// checked out with the second entry, a raised amount, while git show reads
// the first: verify stops with an error naming the tree rather than judge
// either.
func TestVerifyRefusesTreeWithDuplicateEntry(t *testing.T) {
	tr := newTestRepo(t)
	tr.people(defaultPolicy)
	tr.write(expensePath("EXP-2026-0003"), expense("EXP-2026-0003", "approved", "sun.li", "420.00"))
	imp := tr.commit("wang.fang", "import")

	good := tr.git("rev-parse", imp+":"+expensePath("EXP-2026-0003"))
	tr.write("evil.yaml", expense("EXP-2026-0003", "approved", "sun.li", "4200.00"))
	evil := tr.git("hash-object", "-w", "evil.yaml")
	// the year's folder with the claim named twice, then the folders up
	year := tr.mktreeLiteral("100644 EXP-2026-0003.yaml "+good, "100644 EXP-2026-0003.yaml "+evil)
	exp := tr.mktreeLiteral("40000 2026 " + year)
	recs := tr.replaceEntry(imp+":records", "expenses", exp)
	root := tr.replaceEntry(imp, "records", recs)
	c := tr.gitEnv([]string{"GIT_AUTHOR_NAME=sun.li", "GIT_AUTHOR_EMAIL=sun.li@example.com", "GIT_COMMITTER_NAME=sun.li", "GIT_COMMITTER_EMAIL=sun.li@example.com"},
		"commit-tree", root, "-p", imp, "-m", "named twice")
	tr.git("update-ref", "refs/heads/main", c)

	_, err := tr.open().Verify(context.Background(), VerifyOptions{Range: imp + "..main"})
	if err == nil || !strings.Contains(err.Error(), "out of git's order") || !strings.Contains(err.Error(), "EXP-2026-0003.yaml") {
		t.Fatalf("verify: %v", err)
	}
}

// mktreeLiteral stores a tree of the entries ("MODE NAME HASH") in the order
// given, as git hash-object --literally does, duplicates and all.
func (tr *testRepo) mktreeLiteral(entries ...string) string {
	tr.t.Helper()
	var b []byte
	for _, e := range entries {
		f := strings.Fields(e)
		h := plumbing.NewHash(f[2])
		b = append(b, f[0]+" "+f[1]+"\x00"...)
		b = append(b, h[:]...)
	}
	p := filepath.Join(tr.t.TempDir(), "tree")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		tr.t.Fatal(err)
	}
	return tr.git("hash-object", "-t", "tree", "-w", "--literally", p)
}

// replaceEntry stores a copy of the tree at rev with the folder name
// pointing at tree.
func (tr *testRepo) replaceEntry(rev, name, tree string) string {
	tr.t.Helper()
	var lines []string
	for _, l := range strings.Split(tr.git("ls-tree", rev), "\n") {
		if strings.HasSuffix(l, "\t"+name) {
			l = "040000 tree " + tree + "\t" + name
		}
		lines = append(lines, l)
	}
	cmd := exec.Command("git", "mktree")
	cmd.Dir = tr.dir
	cmd.Stdin = strings.NewReader(strings.Join(lines, "\n") + "\n")
	out, err := cmd.Output()
	if err != nil {
		tr.t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// TestVerifyRefusesFileAndFolderOfOneName: a commit whose tree holds an
// approved claim's file and a folder of the same name (git checks out the
// folder: the claim is gone from every clone's lists and reports, while
// its file reads unchanged to a walk) stops verify with an error naming it.
func TestVerifyRefusesFileAndFolderOfOneName(t *testing.T) {
	tr := newTestRepo(t)
	tr.people(defaultPolicy)
	tr.write(expensePath("EXP-2026-0003"), expense("EXP-2026-0003", "approved", "sun.li", "420.00"))
	imp := tr.commit("wang.fang", "import")

	good := tr.git("rev-parse", imp+":"+expensePath("EXP-2026-0003"))
	tr.write("x.txt", "x")
	sub := tr.mktreeLiteral("100644 x.txt " + tr.git("hash-object", "-w", "x.txt"))
	year := tr.mktreeLiteral("100644 EXP-2026-0003.yaml "+good, "40000 EXP-2026-0003.yaml "+sub)
	exp := tr.mktreeLiteral("40000 2026 " + year)
	recs := tr.replaceEntry(imp+":records", "expenses", exp)
	root := tr.replaceEntry(imp, "records", recs)
	c := tr.gitEnv([]string{"GIT_AUTHOR_NAME=sun.li", "GIT_AUTHOR_EMAIL=sun.li@example.com", "GIT_COMMITTER_NAME=sun.li", "GIT_COMMITTER_EMAIL=sun.li@example.com"},
		"commit-tree", root, "-p", imp, "-m", "a folder beside the claim")
	tr.git("update-ref", "refs/heads/main", c)

	_, err := tr.open().Verify(context.Background(), VerifyOptions{Range: imp + "..main"})
	if err == nil || !strings.Contains(err.Error(), "out of git's order") || !strings.Contains(err.Error(), "EXP-2026-0003.yaml") {
		t.Fatalf("verify: %v", err)
	}
}

// TestVerifyPersonFileNobodyReads: a file in people/ that list, validate
// and every write read as nobody (a hidden .ghost.yaml, which they skip
// without a word; ghost.yaml stating another handle as its id) is nobody
// to verify either. li.wei commits one with role leadership and an email
// of her own: no person's change was judged in it (the rules read no
// record there), so were it someone, her next pull request could approve
// her claims as it, and verify, by a range or the whole history, would
// pass them.
func TestVerifyPersonFileNobodyReads(t *testing.T) {
	for _, tc := range []struct {
		file, id string
		named    bool // the planting commit is named for the id it states
	}{
		{".ghost.yaml", ".ghost", false},
		{"ghost.yaml", "zhang.min", true},
	} {
		t.Run(tc.file, func(t *testing.T) {
			tr := submittedClaim(t)
			ghost := strings.Replace(person("ghost", "leadership", "", "", ""), "id: ghost", "id: "+tc.id, 1)
			ghost = strings.Replace(ghost, "ghost@example.com", "li.wei.home@example.com", 1)
			tr.write("records/people/"+tc.file, ghost)
			planted := tr.commit("li.wei", "a file nobody reads")
			tr.edit(expensePath("EXP-2026-0001"), "status: submitted", "status: approved")
			tr.git("add", "-A")
			approve := tr.commitAs("li.wei", "li.wei.home@example.com", "approve")

			want := short(approve) + " actor-unknown EXP-2026-0001"
			wantViolations(t, tr.verify(planted+"..main"), want)
			if tc.named {
				wantViolations(t, tr.verify("main~3..main"), want, short(planted)+" sealed-field ghost")
			} else {
				wantViolations(t, tr.verify("main~3..main"), want)
			}
			rep := tr.verify("main")
			if got := violationList(rep); !slices.Contains(got, want) {
				t.Errorf("whole history: %q lacks %q", got, want)
			}
		})
	}
}

// TestVerifyNewFileStatesAnotherID: a new record file is the record its
// place says, and list and show read the id it states, so a new file that
// states another id (a claim that shows as someone else's submitted
// EXP-2026-0025, sorted first from the 2025 folder, so that show
// EXP-2026-0025 shows hers) or another kind is named, as an edit of those
// fields in place is. opsbook renumber, which moves the file and its id
// together, passes.
func TestVerifyNewFileStatesAnotherID(t *testing.T) {
	tr := newTestRepo(t)
	tr.people(defaultPolicy)
	tr.write(expensePath("EXP-2026-0025"), expense("EXP-2026-0025", "submitted", "sun.li", "120.00"))
	tr.write(expensePath("EXP-2026-0005"), expense("EXP-2026-0005", "draft", "li.wei", "10.00"))
	imp := tr.commit("wang.fang", "import")

	tr.write("records/expenses/2025/EXP-2025-0099.yaml", expense("EXP-2026-0025", "draft", "li.wei", "4800.00"))
	other := tr.commit("li.wei", "a claim that states another's id")
	tr.write(expensePath("EXP-2026-0014"), strings.Replace(expense("EXP-2026-0014", "draft", "li.wei", "10.00"), "kind: expense", "kind: task", 1))
	kind := tr.commit("li.wei", "a claim that says it is a task")
	tr.git("rm", "-q", expensePath("EXP-2026-0005"))
	tr.write(expensePath("EXP-2026-0015"), expense("EXP-2026-0015", "draft", "li.wei", "10.00"))
	tr.commit("li.wei", "renumber")

	rep := tr.verify(imp + "..main")
	wantViolations(t, rep,
		short(other)+" sealed-field EXP-2025-0099",
		short(kind)+" sealed-field EXP-2026-0014")
	for _, v := range rep.Violations {
		if !strings.Contains(v.Message, "is a new file that states") {
			t.Errorf("%s: %s", v.Commit[:7], v.Message)
		}
	}
}
