package cli

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/gen"
)

// TestSummaryMemoHistoryRewritten: whether a member of a project closed
// without closure.left is owed a closing appraisal reads the history (who
// had left in the commit that closed it: audit.LeftAtClose), and so does
// the summary (validate's count, the closure gaps). A stored summary, and
// the base a recount starts from, must notice the history changing under
// the same files: a history squashed into one commit (the project closed
// with the member active), or a commit of the project file alone (HEAD
// holds it closed now, with the member gone in its registry). After each,
// summary prints what --no-cache prints, whether the memo or the base
// (after a plan changed) is there to start from. A commit that leaves what
// was read of the history as it was (an empty one) keeps the memo, and
// the recount.
func TestSummaryMemoHistoryRewritten(t *testing.T) {
	for _, tc := range []struct {
		name string
		// uncommitted: PRJ-2025-0001 closed in the work tree alone
		uncommitted bool
		rewrite     func(t *testing.T, dir string)
		// same: what was read of the history is the same after
		same bool
	}{
		{"an empty commit", false, func(t *testing.T, dir string) {
			gitIn(t, dir, "commit", "-q", "--allow-empty", "-m", "nothing")
		}, true},
		{"squashed", false, func(t *testing.T, dir string) {
			// one commit of HEAD's tree, the same files: the project
			// closed there with wu.qiang active
			out, err := gitOut(dir, "commit-tree", "HEAD^{tree}", "-m", "squashed")
			if err != nil {
				t.Fatal(err)
			}
			gitIn(t, dir, "reset", "-q", "--soft", strings.TrimSpace(out))
		}, false},
		{"amended", false, func(t *testing.T, dir string) {
			// the last two commits made one (reset, amend): the project
			// closed in the commit that brought wu.qiang back
			gitIn(t, dir, "reset", "-q", "--soft", "HEAD~1")
			gitIn(t, dir, "commit", "-q", "--amend", "-m", "department, wu.qiang back")
		}, false},
		{"committed", true, func(t *testing.T, dir string) {
			// the project's closing committed alone: HEAD holds it
			// closed, in a commit whose registry has wu.qiang gone
			gitIn(t, dir, "commit", "-q", "-m", "closed", "--", "records/projects/2025/PRJ-2025-0001.yaml")
		}, false},
	} {
		for _, recount := range []bool{false, true} {
			name := tc.name
			if recount {
				name += ", a plan changed"
			}
			t.Run(name, func(t *testing.T) {
				dir := memberBackDept(t, tc.uncommitted)
				time.Sleep(2100 * time.Millisecond) // the files older than the racy window
				now := time.Date(2026, 11, 26, 15, 0, 0, 0, time.FixedZone("CST", 8*3600))
				before := summaryAt(dir, now, "-o", "json") // the memo and the base
				if want := summaryAt(dir, now, "-o", "json", "--no-cache"); before != want {
					t.Fatalf("summaries differ before the history changed:\n%s", lineDiff(before, want))
				}
				tc.rewrite(t, dir)
				made, reused := recountsMade, summariesReused
				if recount {
					readAgain(t, dir)
				}
				got := summaryAt(dir, now, "-o", "json")
				want := summaryAt(dir, now, "-o", "json", "--no-cache")
				if got != want {
					t.Fatalf("summary and --no-cache differ after the history changed:\n%s", lineDiff(got, want))
				}
				switch {
				case !tc.same && got == before:
					t.Fatalf("the history's change moved nothing: the case tests nothing")
				case tc.same && !recount && (got != before || summariesReused == reused):
					t.Errorf("the memo not reused after a commit that changed nothing read")
				case tc.same && recount && recountsMade == made:
					t.Errorf("not recounted after a commit that changed nothing read")
				}
			})
		}
	}
}

// memberBackDept is the sample in a git repository where PRJ-2025-0001
// closed (without closure.left) while wu.qiang, of its team, had left, and
// wu.qiang is back: committed ("department", then "wu.qiang is back"), or
// with the project closed in the work tree alone (uncommitted: HEAD holds
// it executing).
func memberBackDept(t *testing.T, uncommitted bool) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "dept")
	if _, err := gen.Replicate(context.Background(), dir, gen.ReplicateOptions{From: sampleDir()}); err != nil {
		t.Fatal(err)
	}
	prj := filepath.Join(dir, "records/projects/2025/PRJ-2025-0001.yaml")
	b, err := os.ReadFile(prj)
	if err != nil {
		t.Fatal(err)
	}
	closed := strings.Replace(string(b), "team: [li.wei, zhao.lei]", "team: [li.wei, zhao.lei, wu.qiang]", 1)
	if closed == string(b) || !strings.Contains(closed, "status: closed\n") {
		t.Fatal("PRJ-2025-0001 is not the closed project meant")
	}
	write := func(p, text string) {
		t.Helper()
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if uncommitted {
		write(prj, strings.Replace(closed, "status: closed\n", "status: executing\n", 1))
	} else {
		write(prj, closed)
	}
	for _, a := range [][]string{{"init", "-q", "-b", "main"}, {"config", "user.name", "Director"}, {"config", "user.email", "wang.fang@example.com"},
		{"config", "commit.gpgsign", "false"}, {"add", "-A"}, {"commit", "-q", "-m", "department"}} {
		gitIn(t, dir, a...)
	}
	people := filepath.Join(dir, "records/people/wu.qiang.yaml")
	pb, err := os.ReadFile(people)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^active: false$`).Match(pb) {
		t.Fatal("wu.qiang has not left in the sample")
	}
	write(people, strings.Replace(string(pb), "active: false", "active: true", 1))
	if uncommitted {
		// gone in HEAD's registry, back in the work tree
		write(prj, closed)
	} else {
		gitIn(t, dir, "commit", "-qam", "wu.qiang is back")
	}
	return dir
}

// gitOut runs git in dir as gitIn does and returns its output.
func gitOut(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir,
		"GIT_AUTHOR_DATE=2026-11-26T14:00:00+08:00", "GIT_COMMITTER_DATE=2026-11-26T14:00:00+08:00",
		"GIT_AUTHOR_NAME=Director", "GIT_AUTHOR_EMAIL=wang.fang@example.com",
		"GIT_COMMITTER_NAME=Director", "GIT_COMMITTER_EMAIL=wang.fang@example.com")
	out, err := cmd.Output()
	return string(out), err
}

// TestInboxMemoHistoryRewritten: the inbox of PRJ-2025-0001's owner lists
// the errors of their records, whose closing appraisals owed read the
// history: after the history is squashed into one commit (the same
// files, the project closed with wu.qiang active), the inbox kept, or
// made again after a plan changed, gives what --no-cache gives; after an
// empty commit, the inbox is kept, or made again.
func TestInboxMemoHistoryRewritten(t *testing.T) {
	for _, squash := range []bool{true, false} {
		for _, again := range []bool{false, true} {
			name := map[bool]string{true: "squashed", false: "an empty commit"}[squash]
			if again {
				name += ", a plan changed"
			}
			t.Run(name, func(t *testing.T) {
				dir := memberBackDept(t, false)
				time.Sleep(2100 * time.Millisecond) // the files older than the racy window
				now := time.Date(2026, 11, 26, 15, 0, 0, 0, time.FixedZone("CST", 8*3600))
				inbox := func(args ...string) string {
					return inboxAt(dir, now, append([]string{"--for", "zhang.min", "-o", "json"}, args...)...)
				}
				before := inbox() // the memo
				if want := inbox("--no-cache"); before != want {
					t.Fatalf("inboxes differ before the history changed:\n%s", lineDiff(before, want))
				}
				if squash {
					out, err := gitOut(dir, "commit-tree", "HEAD^{tree}", "-m", "squashed")
					if err != nil {
						t.Fatal(err)
					}
					gitIn(t, dir, "reset", "-q", "--soft", strings.TrimSpace(out))
				} else {
					gitIn(t, dir, "commit", "-q", "--allow-empty", "-m", "nothing")
				}
				if again {
					readAgain(t, dir)
				}
				reused, made := inboxesReused, inboxesAgain
				got := inbox()
				if want := inbox("--no-cache"); got != want {
					t.Fatalf("inbox and --no-cache differ after the history changed:\n%s", lineDiff(got, want))
				}
				switch {
				case squash && got == before:
					t.Fatalf("the history's change moved nothing in the inbox: the case tests nothing")
				case !squash && !again && inboxesReused == reused:
					t.Errorf("the inbox kept not given after a commit that changed nothing read")
				case !squash && again && inboxesAgain == made:
					t.Errorf("the inbox not made again after a commit that changed nothing read")
				}
			})
		}
	}
}

// readAgain changes a plan of dir (a comment line added): a change the
// summary recounts and the inbox makes again, reading the history anew.
func readAgain(t *testing.T, dir string) {
	t.Helper()
	p := filepath.Join(dir, "records/plans/2026/PLN-2026-0003.yaml")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, append(b, "# read again\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
}
