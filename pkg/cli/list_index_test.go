package cli

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/gen"
)

// indexedDepts are the departments the index's answers are checked on: the
// shipped sample, copies of it (long texts, flow lists, repeated dates)
// and a generated department, each with a .git folder for the index.
func indexedDepts(t *testing.T) map[string]string {
	t.Helper()
	depts := testDepts(t)
	for _, dir := range depts {
		if err := os.MkdirAll(filepath.Join(dir, ".git"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return depts
}

// testDepts makes three departments to compare answers on: a copy of the
// sample, the sample copied up to 400 records, and a generated one.
func testDepts(t *testing.T) map[string]string {
	t.Helper()
	copyOf := func(n int) string {
		dir := filepath.Join(t.TempDir(), "dept")
		if _, err := gen.Replicate(context.Background(), dir, gen.ReplicateOptions{From: sampleDir(), Records: n}); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	generated := t.TempDir()
	if _, err := gen.Generate(context.Background(), generated, gen.Options{Records: 300, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"sample": copyOf(0), "copies": copyOf(400), "generated": generated}
}

// runAt runs opsbook in dir at the sample's clock.
func runAt(dir string, tty bool, args ...string) string {
	var out, errb bytes.Buffer
	io := &Streams{Out: &out, Err: &errb, In: strings.NewReader(""), OutTTY: tty, ErrTTY: false, Width: 200,
		Getenv: testEnv(nil)}
	code := Run(context.Background(), append([]string{"-C", dir}, args...), io)
	return fmt.Sprintf("exit %d\n%s\n--- stderr\n%s", code, out.String(), errb.String())
}

// listCases are lists over indexed fields (answered from the index) and
// over others (the full path), in every output.
var listCases = [][]string{
	{"list", "expense"},
	{"list", "expense", "-o", "json"},
	{"list", "expense", "-o", "yaml", "--where", "amount > 1000"},
	{"list", "expense", "--where", "status in (submitted, approved) and amount >= 300", "--sort", "-amount,date"},
	{"list", "expense", "--where", "not category or claimant = zhao.lei", "--columns", "id,claimant,title", "-o", "csv"},
	{"list", "expense", "--where", "title ~ '(?i)taxi|hotel|出租'", "--sort", "title", "--limit", "3"},
	{"list", "expense", "--where", "date >= 2026-03-01 and date < 2026-10-01", "--columns", "id,items.amount,receipt_status"},
	{"list", "expense", "--where", "amount", "--sort", "-amount", "--limit", "5", "-o", "json", "--columns", "id,amount"},
	{"list", "complaint", "--where", "severity in (high, critical)", "--sort", "-received_at"},
	{"list", "complaint", "--where", "received_at >= 2026-06-01T00:00:00Z", "--columns", "id,status,received_at"},
	{"list", "complaint", "--where", "sla_breach"},
	{"list", "person", "--columns", "id,name"},
	{"list", "person", "--where", "name ~ Li"},
	{"list", "project", "--where", "owner != wang.fang", "--sort", "-id"},
	{"list", "plan", "--where", "status = active", "-o", "markdown"},
	{"list", "appraisal", "--where", "period = 2026-H1", "--columns", "id,employee,appraiser,title"},
	{"list", "budget"},
	{"list", "task", "--where", "due < 2026-12-01", "--sort", "due"},
	{"list", "customer", "--sort", "name", "--columns", "id,name"},
	{"list", "meeting", "--where", "type = weekly"},
	{"list", "expense", "--redact", "--where", "amount > 100"},
	{"list", "expense", "--where", "nosuchfield > 1"},
}

// TestListFromIndexEqualsFull: every list answers from the index exactly
// what the full read answers (--no-cache), on the sample, copies of it and
// a generated department, and again after files are changed behind the
// index's back.
func TestListFromIndexEqualsFull(t *testing.T) {
	for name, dir := range indexedDepts(t) {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(len(name)), 9))
			for round := 0; round < 4; round++ {
				before := listedFromIndex
				for _, args := range listCases {
					for _, tty := range []bool{false, true} {
						want := runAt(dir, tty, append(args, "--no-cache")...)
						got := runAt(dir, tty, args...)
						if got != want {
							t.Errorf("round %d: opsbook %s (tty %v): index and full read differ:\n%s", round, strings.Join(args, " "), tty, lineDiff(got, want))
						}
					}
				}
				// the last round has broken files, whose folders the full
				// path lists (it warns of them)
				if n := listedFromIndex - before; n < 20 && round < 3 || n < 6 {
					t.Errorf("round %d: only %d lists answered from the index", round, listedFromIndex-before)
				}
				changeBehind(t, dir, rng, round)
			}
		})
	}
}

// changeBehind changes record files the way an editor, a pull or a broken
// hand edit would, without any opsbook command seeing it: a value changed
// in place with the size and modification time kept, a field made a list,
// a file removed, added and retitled, and after round 2 files broken.
func changeBehind(t *testing.T, dir string, rng *rand.Rand, round int) {
	t.Helper()
	var files []string
	filepath.WalkDir(filepath.Join(dir, "records"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yaml") {
			files = append(files, p)
		}
		return nil
	})
	pick := func(in string) (string, string) {
		for {
			p := files[rng.IntN(len(files))]
			if !strings.Contains(p, in) {
				continue
			}
			if data, err := os.ReadFile(p); err == nil { // not removed
				return p, string(data)
			}
		}
	}
	write := func(p, s string, keepTime bool) {
		info, _ := os.Stat(p)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		if keepTime && info != nil {
			os.Chtimes(p, info.ModTime(), info.ModTime())
		}
	}
	folders := []string{"expenses", "complaints", "people", "expenses", "projects", "expenses"}
	for i := 0; i < 12; i++ {
		p, s := pick(folders[(i+round)%len(folders)])
		op := i % 6
		if op == 2 && round < 2 {
			op = 5
		}
		switch op {
		case 0: // same size, same time: a digit of the amount or a date
			if j := strings.Index(s, "\namount: "); j >= 0 && j+10 < len(s) {
				b := []byte(s)
				if c := b[j+9]; c >= '1' && c <= '8' {
					b[j+9] = c + 1
				}
				write(p, string(b), true)
			}
		case 1: // a clear field made a list: the index cannot keep it
			if j := strings.Index(s, "\ncategory: "); j >= 0 {
				k := strings.IndexByte(s[j+1:], '\n')
				if k > 0 {
					write(p, s[:j]+"\ncategory: [a, b]"+s[j+1+k:], false)
				}
			}
		case 2: // broken YAML
			write(p, s+"\n: : [\n", false)
		case 3:
			os.Remove(p)
		case 4: // a new record: a copy under a new name and id
			base := strings.TrimSuffix(filepath.Base(p), ".yaml")
			id := base + "9"
			np := filepath.Join(filepath.Dir(p), id+".yaml")
			write(np, strings.Replace(s, "id: "+base, "id: "+id, 1), false)
		case 5: // another title, another status, an encrypted value
			s = strings.Replace(s, "\ntitle: ", "\ntitle: Taxi hotel ", 1)
			s = strings.Replace(s, "\nstatus: draft", "\nstatus: submitted", 1)
			if rng.IntN(2) == 0 {
				s = strings.Replace(s, "\nstatus: ", "\nsealed: \"-----BEGIN AGE ENCRYPTED FILE-----\\nYWdlLWVuY3J5cHRpb24=\\n-----END AGE ENCRYPTED FILE-----\\n\"\nstatus: ", 1)
			}
			write(p, s, false)
		}
	}
	// the changes are older than the racy window: stat data alone would
	// trust them if the index did not check the change time
	time.Sleep(10 * time.Millisecond)
}

// lineDiff shows the lines of a not in b (-) and of b not in a (+).
func lineDiff(a, b string) string {
	count := func(s string) map[string]int {
		m := map[string]int{}
		for _, l := range strings.Split(s, "\n") {
			m[l]++
		}
		return m
	}
	ca, cb := count(a), count(b)
	var out []string
	for _, l := range strings.Split(a, "\n") {
		if cb[l] > 0 {
			cb[l]--
			continue
		}
		out = append(out, "- "+l)
	}
	for _, l := range strings.Split(b, "\n") {
		if ca[l] > 0 {
			ca[l]--
			continue
		}
		out = append(out, "+ "+l)
	}
	if len(out) > 40 {
		out = append(out[:40], "...")
	}
	return strings.Join(out, "\n")
}
