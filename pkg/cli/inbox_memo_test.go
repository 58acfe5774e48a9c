package cli

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/repo"
	"github.com/opsbook/opsbook/pkg/workflow"
)

// gitDepts are the departments of indexedDepts, each a git repository
// with everything committed, and the active director's email of each.
func gitDepts(t *testing.T) (dirs, directors map[string]string) {
	t.Helper()
	dirs, directors = map[string]string{}, map[string]string{}
	for name, dir := range testDepts(t) {
		r, err := repo.Load(context.Background(), dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range r.Set.OfKind(record.Person) {
			if workflow.Role(p.Str("role")) == workflow.Director && p.Str("status") != "inactive" && len(p.Strings("emails")) > 0 {
				directors[name] = p.Strings("emails")[0]
			}
		}
		if directors[name] == "" {
			t.Fatalf("%s: no director with an email", name)
		}
		for _, a := range [][]string{
			{"init", "-q", "-b", "main"}, {"config", "user.name", "Director"}, {"config", "user.email", directors[name]},
			{"config", "commit.gpgsign", "false"}, {"add", "-A"}, {"commit", "-q", "-m", "department"},
		} {
			gitIn(t, dir, a...)
		}
		dirs[name] = dir
	}
	return dirs, directors
}

func gitIn(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir,
		"GIT_AUTHOR_DATE=2026-11-26T14:00:00+08:00", "GIT_COMMITTER_DATE=2026-11-26T14:00:00+08:00")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// inboxAt runs inbox in dir as of now.
func inboxAt(dir string, now time.Time, args ...string) string {
	var out, errb bytes.Buffer
	io := &Streams{Out: &out, Err: &errb, In: strings.NewReader(""), Width: 160,
		Getenv: testEnv(map[string]string{"OPSBOOK_NOW": now.Format(time.RFC3339Nano)})}
	code := Run(context.Background(), append([]string{"-C", dir, "inbox"}, args...), io)
	return fmt.Sprintf("exit %d\n%s\n--- stderr\n%s", code, out.String(), errb.String())
}

// inboxMemos are the inbox memos kept in dir.
func inboxMemos(dir string) []string {
	ms, _ := filepath.Glob(filepath.Join(dir, ".git", "opsbook", "memo-inbox-*"))
	sort.Strings(ms)
	return ms
}

// TestInboxMemoEqualsFull: the inbox of every person (seen by the
// director), at random moments (within a kept inbox's horizon, at it,
// past it, on later days, earlier than it was made) and after files
// change behind its back (records, attachments, the policy, whether an
// attachment is committed, the kept inbox itself), prints exactly what a
// full pass (--no-cache) prints at that moment; and kept inboxes are
// reused.
func TestInboxMemoEqualsFull(t *testing.T) {
	dirs, directors := gitDepts(t)
	time.Sleep(2100 * time.Millisecond) // the files older than the racy window
	reused, horizons, commitStates := inboxesReused, 0, 0
	for name, dir := range dirs {
		t.Run(name, func(t *testing.T) {
			t.Setenv("GIT_AUTHOR_EMAIL", directors[name])
			people := peopleOf(t, dir)
			rng := rand.New(rand.NewPCG(uint64(len(name)), 23))
			zone := time.FixedZone("CST", 8*3600)
			now := time.Date(2026, 11, 26, 15, 0, 0, 0, zone)
			for step := 0; step < 60; step++ {
				args := []string{"-o", "json"}
				if step%4 == 3 {
					args = nil // the text page
				}
				if k := rng.IntN(len(people) + 2); k < len(people) {
					args = append(args, "--for", people[k])
				}
				before := inboxesReused
				got := inboxAt(dir, now, args...)
				want := inboxAt(dir, now, append(args, "--no-cache")...)
				if got != want {
					t.Fatalf("step %d, %s %v: kept and full inboxes differ:\n%s", step, now.Format(time.RFC3339Nano), args, lineDiff(got, want))
				}
				end := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, now.Location())
				var dirty []string
				for _, p := range inboxMemos(dir) {
					m, err := repo.LoadMemo(dir, strings.TrimPrefix(filepath.Base(p), "memo-"))
					if err != nil {
						continue
					}
					if inboxesReused > before && m.Fingerprint != "" && !m.Holds(m.Fingerprint, now) && m.From.Equal(now) {
						t.Fatalf("step %d: a memo reused outside its window", step)
					}
					if m.Until != nil && m.Until.Before(end) && m.From.Equal(now) {
						end = *m.Until
						horizons++
					}
					for f := range m.Dirty {
						dirty = append(dirty, f)
					}
				}
				sort.Strings(dirty)
				switch k := rng.IntN(16); {
				case k < 10:
					now = nextMoment(rng, now, end)
				case k == 10:
					damageInboxMemo(t, dir, rng)
				case k == 11:
					changeBehind(t, dir, rng, 0)
				case k == 12 && rng.IntN(3) == 0:
					changePolicy(t, dir, rng)
				case k == 12:
					touchAttachment(t, dir, rng)
				case k == 13 || len(dirty) == 0:
					instantAhead(t, dir, rng, now)
				case len(dirty) > 0: // an attachment a tried move asked about: in git's index or out
					p := dirty[rng.IntN(len(dirty))]
					if _, err := os.Stat(filepath.Join(dir, p)); err == nil {
						if rng.IntN(2) == 0 {
							gitIn(t, dir, "rm", "-q", "--cached", "--ignore-unmatch", p)
						} else {
							gitIn(t, dir, "add", p)
						}
						commitStates++
					}
				}
			}
		})
	}
	t.Logf("%d inboxes reused, %d horizons within the day, %d commit states changed", inboxesReused-reused, horizons, commitStates)
	if inboxesReused-reused < 5 || horizons == 0 || commitStates == 0 {
		t.Errorf("%d inboxes reused, %d horizons within the day, %d commit states changed", inboxesReused-reused, horizons, commitStates)
	}
}

// damageInboxMemo cuts a kept inbox short, flips a byte of it, or
// changes an item in it keeping the file's form: it must never be shown.
func damageInboxMemo(t *testing.T, dir string, rng *rand.Rand) {
	t.Helper()
	if ms := inboxMemos(dir); len(ms) > 0 {
		damageFile(t, ms[rng.IntN(len(ms))], rng, `"ready":true`, `"ready":false`)
	}
}

// instantRE matches an RFC 3339 date and time in a record file.
var instantRE = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)`)

// instantAhead sets an instant of a record (a complaint's received_at, a
// claim's submitted_at ...) to a moment later the same day than now, or
// up to two days before it: answers change when the clock reaches it, or
// a deadline counted from it (an SLA clock).
func instantAhead(t *testing.T, dir string, rng *rand.Rand, now time.Time) {
	t.Helper()
	var files []string
	filepath.WalkDir(filepath.Join(dir, "records"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yaml") {
			if data, err := os.ReadFile(p); err == nil && instantRE.Match(data) {
				files = append(files, p)
			}
		}
		return nil
	})
	if len(files) == 0 {
		return
	}
	p := files[rng.IntN(len(files))]
	data, _ := os.ReadFile(p)
	all := instantRE.FindAllIndex(data, -1)
	at := all[rng.IntN(len(all))]
	end := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, now.Location())
	if !end.After(now) {
		return
	}
	ahead := now.Add(time.Duration(rng.Int64N(int64(end.Sub(now))))).Truncate(time.Second)
	if rng.IntN(2) == 0 {
		ahead = now.Add(-time.Duration(rng.Int64N(int64(48 * time.Hour)))).Truncate(time.Second)
	}
	out := append(append(append([]byte(nil), data[:at[0]]...), ahead.Format(time.RFC3339)...), data[at[1]:]...)
	if err := os.WriteFile(p, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestInboxMemoClockHorizon: the sample's CMP-2026-0018 (medium, received
// 10:15, nobody assigned) waits on the director with its respond clock
// running to 18:15. An inbox kept at 15:00 is given again at 18:14:59,
// never at 18:15:01, when the complaint is past its SLA; it is given to a
// command run in a folder below the department's root; and a specialist's
// is given a second later too.
func TestInboxMemoClockHorizon(t *testing.T) {
	dir := sampleRepo(t, "wang.fang@example.com")
	t.Setenv("GIT_AUTHOR_EMAIL", "wang.fang@example.com")
	time.Sleep(2100 * time.Millisecond) // the files older than the racy window
	zone := time.FixedZone("CST", 8*3600)
	at := func(h, m, s int) time.Time { return time.Date(2026, 11, 26, h, m, s, 0, zone) }
	overdue := func(out string) bool {
		i := strings.Index(out, `"record": "CMP-2026-0018"`)
		if i < 0 {
			t.Fatalf("CMP-2026-0018 is not in the director's inbox:\n%s", out)
		}
		j := strings.Index(out[i:], `"overdue": `)
		return strings.HasPrefix(out[i+j+len(`"overdue": `):], "true")
	}
	if out := inboxAt(dir, at(15, 0, 0), "-o", "json"); overdue(out) {
		t.Fatalf("overdue at 15:00:\n%s", out)
	}
	before := inboxesReused
	if got := inboxAt(filepath.Join(dir, "records"), at(15, 0, 1), "-o", "json"); inboxesReused != before+1 || got != inboxAt(dir, at(15, 0, 1), "-o", "json", "--no-cache") {
		t.Fatalf("from the records folder the inbox kept at 15:00 is not given as it is (%d reused):\n%s", inboxesReused-before, got)
	}
	// a specialist's moves stamp the moment they are tried at (a draft's
	// submitted_at): no reason to make the inbox again a second later
	inboxAt(dir, at(15, 0, 0), "-o", "json", "--for", "li.wei")
	before = inboxesReused
	if got := inboxAt(dir, at(15, 0, 1), "-o", "json", "--for", "li.wei"); inboxesReused != before+1 || got != inboxAt(dir, at(15, 0, 1), "-o", "json", "--for", "li.wei", "--no-cache") {
		t.Fatalf("li.wei's inbox kept at 15:00 is not given at 15:00:01 (%d reused):\n%s", inboxesReused-before, got)
	}
	before = inboxesReused
	got := inboxAt(dir, at(18, 14, 59), "-o", "json")
	if inboxesReused != before+1 || overdue(got) || got != inboxAt(dir, at(18, 14, 59), "-o", "json", "--no-cache") {
		t.Fatalf("at 18:14:59 the inbox kept at 15:00 is not given as it is (%d reused):\n%s", inboxesReused-before, got)
	}
	before = inboxesReused
	got = inboxAt(dir, at(18, 15, 1), "-o", "json")
	if inboxesReused != before || !overdue(got) || got != inboxAt(dir, at(18, 15, 1), "-o", "json", "--no-cache") {
		t.Fatalf("at 18:15:01 the inbox kept at 15:00 was given again (%d reused) or differs:\n%s", inboxesReused-before, got)
	}
}

// peopleOf are the handles of dir's people.
func peopleOf(t *testing.T, dir string) []string {
	t.Helper()
	r, err := repo.Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	var people []string
	for _, p := range r.Set.OfKind(record.Person) {
		people = append(people, p.ID)
	}
	return people
}
