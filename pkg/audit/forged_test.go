package audit

import (
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/gitobj"
)

// forge stores a commit of the index's tree with the given parents,
// authored and committed by who, and moves the branch to it.
func (tr *testRepo) forge(who, msg string, parents ...string) string {
	tr.t.Helper()
	tr.git("add", "-A")
	tree := tr.git("write-tree")
	args := []string{"commit-tree", tree, "-m", msg}
	for _, p := range parents {
		args = append(args, "-p", p)
	}
	env := []string{"GIT_AUTHOR_NAME=" + who, "GIT_AUTHOR_EMAIL=" + who + "@example.com",
		"GIT_COMMITTER_NAME=" + who, "GIT_COMMITTER_EMAIL=" + who + "@example.com"}
	h := strings.TrimSpace(tr.gitEnv(env, args...))
	tr.git("reset", "-q", "--hard", h)
	return h
}

// hashObject stores raw as a commit object, as git hash-object -t commit
// -w does, and moves the branch to it.
func (tr *testRepo) hashObject(raw string, flags ...string) string {
	tr.t.Helper()
	cmd := exec.Command("git", append([]string{"hash-object", "-t", "commit", "-w", "--stdin"}, flags...)...)
	cmd.Dir = tr.dir
	cmd.Env = append(cmd.Environ(), tr.env()...)
	cmd.Stdin = strings.NewReader(raw)
	out, err := cmd.Output()
	if err != nil {
		tr.t.Fatalf("git hash-object: %v", err)
	}
	h := strings.TrimSpace(string(out))
	if len(flags) == 0 {
		tr.git("update-ref", "refs/heads/main", h)
	}
	return h
}

// A merge with an old commit of the branch itself brings nothing of its
// own: whatever it sets back (a paid claim to approved, a deleted file, an
// old role, the old policy) is the merge's change, for a range and for all
// of history.
func TestVerifyMergeOfOldCommit(t *testing.T) {
	for _, c := range []struct {
		name string
		do   func(tr *testRepo)
		want string // rule and record
	}{
		{"paid set back to approved", func(tr *testRepo) {
			tr.edit(expensePath("EXP-2026-0001"), "status: paid", "status: approved")
		}, "final-state EXP-2026-0001"},
		{"deleted", func(tr *testRepo) { tr.git("rm", "-q", expensePath("EXP-2026-0001")) }, "record-deleted EXP-2026-0001"},
		{"old role", func(tr *testRepo) {
			tr.edit("records/people/li.wei.yaml", "role: specialist", "role: manager")
		}, "people-policy li.wei"},
		{"old policy", func(tr *testRepo) { tr.write(".opsbook.yaml", "currency: CNY\nrequire_signatures: false\n") }, "people-policy "},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr := honest(t)
			root := strings.TrimSpace(tr.git("rev-list", "--max-parents=0", "HEAD"))
			base := tr.git("rev-parse", "HEAD")
			c.do(tr)
			m := tr.forge("he.jing", "merge", base, root)
			wantViolations(t, tr.verify(base+"..HEAD"), short(m)+" "+c.want)
			wantViolations(t, tr.verify(""), short(m)+" "+c.want)
			// The same merge with the old commit as its first parent.
			tr.git("reset", "-q", "--hard", base)
			c.do(tr)
			m = tr.forge("he.jing", "merge", root, base)
			if got := violationList(tr.verify(base + "..HEAD")); len(got) == 0 {
				t.Errorf("merge -p ROOT -p BASE: nothing named")
			}
		})
	}
}

// A merge that drops what the other side brought (here: keeps the old
// first parent's approved claim where BASE has it paid) undoes it.
func TestVerifyMergeDropsTheOtherSide(t *testing.T) {
	tr := honest(t)
	base := tr.git("rev-parse", "HEAD")
	tr.git("checkout", "-q", "HEAD~1") // approved, before the payment
	m := tr.forge("he.jing", "merge -s ours", "HEAD", base)
	wantViolations(t, tr.verify(base+"..HEAD"), short(m)+" final-state EXP-2026-0001")
}

// Honest merges pass: main merged into a branch that then changes the
// same claim, and the branch merged back.
func TestVerifyHonestMergesBothWays(t *testing.T) {
	tr := honest(t)
	tr.write(expensePath("EXP-2026-0002"), expense("EXP-2026-0002", "draft", "sun.li", "80.00"))
	tr.commit("sun.li", "new")
	base := tr.git("rev-parse", "HEAD")
	tr.git("checkout", "-q", "-b", "b2", "HEAD~1")
	tr.write(expensePath("EXP-2026-0003"), expense("EXP-2026-0003", "draft", "li.wei", "20.00"))
	tr.commit("li.wei", "new")
	tr.merge("li.wei", "main")
	tr.edit(expensePath("EXP-2026-0002"), "status: draft", "status: submitted")
	tr.commit("sun.li", "submit")
	wantViolations(t, tr.verify(base+"..HEAD"))
	tr.git("checkout", "-q", "main")
	tr.merge("wang.fang", "b2")
	wantViolations(t, tr.verify(base+"..HEAD"))
	wantViolations(t, tr.verify(""))
}

// A parent line after the committer is no parent: git reads one parent,
// and so does verify, which also names the header.
func TestVerifyStrayParentLine(t *testing.T) {
	tr := honest(t)
	root := strings.TrimSpace(tr.git("rev-list", "--max-parents=0", "HEAD"))
	base := tr.git("rev-parse", "HEAD")
	tr.edit(expensePath("EXP-2026-0001"), "status: paid", "status: approved")
	tr.git("add", "-A")
	tree := tr.git("write-tree")
	raw := "tree " + tree + "\nparent " + base + "\nauthor he.jing <he.jing@example.com> 1780000000 +0800\n" +
		"committer he.jing <he.jing@example.com> 1780000000 +0800\nparent " + root + "\n\nfix\n"
	h := tr.hashObject(raw)
	tr.git("fsck", "--strict", "--no-dangling")
	if p := strings.Fields(tr.git("log", "-1", "--format=%P", h)); len(p) != 1 {
		t.Fatalf("git reads %d parents", len(p))
	}
	ch, err := gitobj.ParseHead([]byte(raw))
	if err != nil || len(ch.Parents) != 1 || len(ch.Stray) != 1 {
		t.Fatalf("ParseHead: %d parents, stray %v, %v", len(ch.Parents), ch.Stray, err)
	}
	want := []string{short(h) + " commit-header EXP-2026-0001", short(h) + " final-state EXP-2026-0001"}
	wantViolations(t, tr.verify(base+"..HEAD"), want...)
	wantViolations(t, tr.verify(""), want...)
}

// A commit git would not read is an error naming it, never skipped.
func TestVerifyMalformedCommit(t *testing.T) {
	tr := honest(t)
	base := tr.git("rev-parse", "HEAD")
	tree := tr.git("rev-parse", "HEAD^{tree}")
	h := tr.hashObject("parent "+base+"\ntree "+tree+"\nauthor x <x@example.com> 1 +0000\ncommitter x <x@example.com> 1 +0000\n\nx\n", "--literally")
	tr.hashObject("tree " + tree + "\nparent " + h + "\nauthor x <x@example.com> 1 +0000\ncommitter x <x@example.com> 1 +0000\n\ny\n")
	_, err := tr.open().Verify(t.Context(), VerifyOptions{Range: base + "..HEAD"})
	if err == nil || !strings.Contains(err.Error(), h) {
		t.Fatalf("verify of a malformed commit: %v", err)
	}
}

// A copy of an approved claim under a new id is a new record, even when
// the commit touches the original too.
func TestVerifyCopyIsNoRenumbering(t *testing.T) {
	tr := newTestRepo(t)
	tr.people(defaultPolicy)
	tr.write(expensePath("EXP-2026-0003"), expense("EXP-2026-0003", "approved", "sun.li", "420.00"))
	base := tr.commit("wang.fang", "import")
	tr.write(expensePath("EXP-2026-0009"), strings.Replace(expense("EXP-2026-0003", "approved", "sun.li", "420.00"), "EXP-2026-0003", "EXP-2026-0009", 1))
	tr.write(expensePath("EXP-2026-0003"), expense("EXP-2026-0003", "approved", "sun.li", "420.00")+"# checked\n")
	cp := tr.commit("sun.li", "copy")
	wantViolations(t, tr.verify(base+"..HEAD"), short(cp)+" create-state EXP-2026-0009")
}

// A forged commit index (valid checksums, the forbidden commit shown with
// no change) hides nothing from verify, and verify repairs it.
func TestVerifyForgedIndex(t *testing.T) {
	tr := honest(t)
	base := tr.git("rev-parse", "HEAD")
	tr.edit(expensePath("EXP-2026-0001"), "status: paid", "status: approved")
	bad := tr.commit("he.jing", "unpay")
	want := short(bad) + " final-state EXP-2026-0001"
	wantViolations(t, tr.verify(base+"..HEAD"), want)
	r := tr.open()
	if _, err := r.History(t.Context(), "EXP-2026-0001"); err != nil {
		t.Fatal(err)
	}
	path := r.IndexPath()
	h, _ := hex.DecodeString(bad)
	tree, _ := hex.DecodeString(tr.git("rev-parse", "HEAD^{tree}"))
	p, _ := hex.DecodeString(base)
	body := append(append([]byte{}, h...), tree...)
	body = binary.AppendVarint(body, 1780000000)
	body = binary.AppendUvarint(body, 1)
	body = append(body, p...)
	body = binary.AppendUvarint(body, 0) // no changes
	entry := binary.BigEndian.AppendUint32(nil, uint32(len(body)))
	entry = append(entry, body...)
	entry = binary.BigEndian.AppendUint32(entry, crc32.ChecksumIEEE(body))
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(entry)
	f.Close()
	if evs, _ := tr.open().History(t.Context(), "EXP-2026-0001"); len(evs) != 4 {
		t.Fatalf("the forged index was not read (history has %d events); the test forges nothing", len(evs))
	}
	wantViolations(t, tr.verify(base+"..HEAD"), want)
	wantViolations(t, tr.verify(""), want)
	if evs, _ := tr.open().History(t.Context(), "EXP-2026-0001"); len(evs) != 5 {
		t.Errorf("verify did not repair the index: history has %d events", len(evs))
	}
}

// A branch that copies the records to another folder and points the
// policy there is named; the director moving every record is not.
func TestVerifyRecordsFolder(t *testing.T) {
	tr := honest(t)
	base := tr.git("rev-parse", "HEAD")
	tr.git("checkout", "-q", "-b", "shadow")
	tr.git("-c", "core.autocrlf=false", "read-tree", "--prefix=shadow/", "HEAD:records")
	tr.git("checkout-index", "-a")
	tr.write(".opsbook.yaml", defaultPolicy+"records: shadow\n")
	sh := tr.commit("wang.fang", "shadow")
	wantViolations(t, tr.verify(base+"..HEAD"), short(sh)+" records-folder ")

	tr.git("checkout", "-q", "main")
	tr.git("mv", "records", "books")
	tr.write(".opsbook.yaml", defaultPolicy+"records: books\n")
	tr.commit("wang.fang", "move the records")
	wantViolations(t, tr.verify(base+"..HEAD"))
	wantViolations(t, tr.verify(""))
}

// A record file over the size limit is named unreadable without being
// read whole.
func TestVerifyOversizedRecord(t *testing.T) {
	tr := honest(t)
	base := tr.git("rev-parse", "HEAD")
	p := expensePath("EXP-2026-0002")
	tr.write(p, expense("EXP-2026-0002", "paid", "li.wei", "10.00"))
	if err := os.Truncate(tr.dir+"/"+p, 3<<20); err != nil {
		t.Fatal(err)
	}
	big := tr.commit("li.wei", "big claim")
	wantViolations(t, tr.verify(base+"..HEAD"), short(big)+" record-unreadable EXP-2026-0002")
}

// A merge whose parents have two merge bases (criss-cross) cannot drop
// what BASE brought either: here a claim created on main after both bases
// disappears.
func TestVerifyCrissCrossMergeDrops(t *testing.T) {
	tr := honest(t)
	h := tr.git("rev-parse", "HEAD")
	tr.git("checkout", "-q", "-b", "l", h)
	tr.write("README.md", "left\n")
	l1 := tr.commit("li.wei", "left")
	tr.git("checkout", "-q", "-b", "r", h)
	tr.write("NOTES.md", "right\n")
	r1 := tr.commit("sun.li", "right")
	tr.git("checkout", "-q", "main")
	tr.merge("wang.fang", "l")
	tr.merge("wang.fang", "r")
	tr.write(expensePath("EXP-2026-0002"), expense("EXP-2026-0002", "draft", "li.wei", "10.00"))
	base := tr.commit("li.wei", "new")
	tr.git("checkout", "-q", l1)
	m1 := tr.forge("li.wei", "merge", l1, r1)
	m := tr.forge("li.wei", "merge", m1, base)
	if n := len(strings.Fields(tr.git("merge-base", "--all", m1, base))); n != 2 {
		t.Fatalf("%d merge bases, want 2", n)
	}
	wantViolations(t, tr.verify(base+"..HEAD"), short(m)+" record-deleted EXP-2026-0002")
}

// Over a range that moves the records folder, what later commits do in the
// new folder is judged, whether the move was allowed or not.
func TestVerifyAfterAFolderMove(t *testing.T) {
	for _, c := range []struct {
		name, folder string
		move         func(tr *testRepo)
		want         []string
	}{
		{"moved by the director", "books", func(tr *testRepo) { tr.git("mv", "records", "books") }, nil},
		{"shadow copy", "shadow", func(tr *testRepo) {
			tr.git("read-tree", "--prefix=shadow/", "HEAD:records")
			tr.git("checkout-index", "-a")
		}, []string{"records-folder "}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr := honest(t)
			tr.write(expensePath("EXP-2026-0002"), expense("EXP-2026-0002", "draft", "li.wei", "10.00"))
			base := tr.commit("li.wei", "new")
			c.move(tr)
			tr.write(".opsbook.yaml", defaultPolicy+"records: "+c.folder+"\n")
			mv := tr.commit("wang.fang", "move")
			p := strings.Replace(expensePath("EXP-2026-0002"), "records/", c.folder+"/", 1)
			tr.edit(p, "status: draft", "status: paid")
			paid := tr.commit("he.jing", "pay")
			var want []string
			for _, w := range c.want {
				want = append(want, short(mv)+" "+w)
			}
			want = append(want, short(paid)+" move-illegal EXP-2026-0002")
			wantViolations(t, tr.verify(base+"..HEAD"), want...)
			wantViolations(t, tr.verify(""), want...)
		})
	}
}

// An honest pull request whose base moved on and touched the same claim
// passes when its own head is verified against the base, as the CI
// templates do (no synthetic merge).
func TestVerifyPullRequestWhoseBaseMovedOn(t *testing.T) {
	tr := newTestRepo(t)
	tr.people(defaultPolicy)
	tr.write(expensePath("EXP-2026-0001"), expense("EXP-2026-0001", "draft", "li.wei", "980.50"))
	imp := tr.commit("wang.fang", "import")
	tr.git("checkout", "-q", "-b", "claim")
	tr.edit(expensePath("EXP-2026-0001"), "status: draft", "status: submitted")
	tr.commit("li.wei", "submit")
	tr.edit(expensePath("EXP-2026-0001"), "status: submitted", "status: approved")
	head := tr.commit("zhang.min", "approve")
	tr.git("checkout", "-q", "main")
	tr.write(expensePath("EXP-2026-0001"), expense("EXP-2026-0001", "draft", "li.wei", "980.50")+"# receipts checked\n")
	base := tr.commit("he.jing", "a comment on the claim")
	wantViolations(t, tr.verify(base+".."+head))
	// The base moved on again, and the pull request merged main in to
	// catch up: git merges the comment into the approved claim, a change
	// of the merge's own that changes no field.
	tr.write(expensePath("EXP-2026-0002"), expense("EXP-2026-0002", "draft", "sun.li", "12.00"))
	base = tr.commit("sun.li", "new")
	tr.git("checkout", "-q", "claim")
	tr.merge("li.wei", "main")
	wantViolations(t, tr.verify(base+"..HEAD"))
	// Merged into main: the merge is clean too.
	tr.git("checkout", "-q", "main")
	tr.git("merge", "-q", "--ff-only", "claim")
	wantViolations(t, tr.verify(imp+"..HEAD"))
}

// mergeBases agrees with git merge-base --all on a generated history with
// merges, for pairs of commits near and far apart.
func TestMergeBasesAgreeWithGit(t *testing.T) {
	tr := newTestRepo(t)
	genRepo(t, tr.dir, 150)
	r := tr.open()
	head := mustResolve(t, r, "HEAD")
	if _, err := r.Discover(t.Context(), head); err != nil {
		t.Fatal(err)
	}
	all := strings.Fields(tr.git("rev-list", "--all"))
	for i := 0; i < len(all); i += 11 {
		for j := i + 3; j < len(all); j += 29 {
			want := strings.Fields(tr.git("merge-base", "--all", all[i], all[j]))
			var got []string
			for _, h := range r.mergeBases(mustResolve(t, r, all[i]), mustResolve(t, r, all[j])) {
				got = append(got, h.String())
			}
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Fatalf("merge bases of %s and %s: %v, git %v", all[i][:7], all[j][:7], got, want)
			}
		}
	}
}

// log and history show a merge's own change as verify judges it: the
// merge with the first commit that sets a paid claim back to approved is
// an event by its actor, not hidden behind the first commit.
func TestLogAndHistoryShowAMergesOwnChange(t *testing.T) {
	tr := honest(t)
	root := strings.TrimSpace(tr.git("rev-list", "--max-parents=0", "HEAD"))
	base := tr.git("rev-parse", "HEAD")
	tr.edit(expensePath("EXP-2026-0001"), "status: paid", "status: approved")
	m := tr.forge("he.jing", "merge", base, root)
	evs, err := tr.open().History(t.Context(), "EXP-2026-0001")
	if err != nil {
		t.Fatal(err)
	}
	if last := evs[len(evs)-1]; last.Commit.String() != m || !strings.Contains(last.Move(), "paid → approved") {
		t.Errorf("history ends with %s %s, want the merge %s setting paid back to approved:\n%s", last.Commit, last.Move(), short(m), moves(evs))
	}
	log, err := tr.open().Log(t.Context(), LogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if log[0].Commit.String() != m || !strings.Contains(log[0].Move(), "paid → approved") {
		t.Errorf("log starts with %s %s, want the merge", log[0].Commit, log[0].Move())
	}
	// A merge that drops the other side's payment shows it undone.
	tr.git("checkout", "-q", "HEAD~1~1")
	tr.forge("he.jing", "merge -s ours", "HEAD", base)
	log, err = tr.open().Log(t.Context(), LogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log[0].Move(), "paid → approved") {
		t.Errorf("log starts with %s %s, want the merge undoing the payment", log[0].Commit, log[0].Move())
	}
}

// A merge with an unrelated history (an orphan branch holding an old copy
// of the claim) brings nothing either; the orphan's own creation of a claim
// in a later state is named too.
func TestVerifyMergeOfAnOrphan(t *testing.T) {
	tr := honest(t)
	base := tr.git("rev-parse", "HEAD")
	tr.git("checkout", "-q", "--orphan", "old")
	tr.edit(expensePath("EXP-2026-0001"), "status: paid", "status: approved")
	orphan := tr.commit("zhang.min", "old copy")
	tr.git("checkout", "-q", "main")
	tr.edit(expensePath("EXP-2026-0001"), "status: paid", "status: approved")
	m := tr.forge("he.jing", "merge", base, orphan)
	got := violationList(tr.verify(base + "..HEAD"))
	if !slices.Contains(got, short(m)+" final-state EXP-2026-0001") {
		t.Errorf("the merge is not named: %v", got)
	}
	if !slices.ContainsFunc(got, func(v string) bool { return strings.HasPrefix(v, short(orphan)+" create-") }) {
		t.Errorf("the orphan's creations are not named: %v", got)
	}
}
