package change

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/record"
)

var now = time.Date(2026, 11, 26, 15, 0, 0, 0, time.FixedZone("CST", 8*3600))

// repoWith makes a git repository holding files, committed by the director.
func repoWith(t *testing.T, files map[string]string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	for p, text := range files {
		abs := filepath.Join(dir, p)
		os.MkdirAll(filepath.Dir(abs), 0o755)
		os.WriteFile(abs, []byte(text), 0o644)
	}
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"commit", "-q", "-m", "import"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=W", "GIT_AUTHOR_EMAIL=wang@example.com", "GIT_COMMITTER_NAME=W", "GIT_COMMITTER_EMAIL=wang@example.com", "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir,
			"GIT_AUTHOR_DATE="+now.Format(time.RFC3339), "GIT_COMMITTER_DATE="+now.Format(time.RFC3339))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return dir
}

var dept = map[string]string{
	".opsbook.yaml":                            "currency: CNY\n",
	"records/people/wang.yaml":                 "kind: person\nid: wang\nname: W\nrole: director\nemails: [wang@example.com]\n",
	"records/people/li.yaml":                   "kind: person\nid: li\nname: L\nrole: specialist\nreports_to: wang\nemails: [li@example.com]\n",
	"records/budgets/BUD-2026.yaml":            "kind: budget\nid: BUD-2026\ntitle: b\nstatus: approved\nyear: 2026\nlines:\n  - category: office\n    amount: 100.00\n",
	"records/expenses/2026/EXP-2026-0007.yaml": "kind: expense\nid: EXP-2026-0007\ntitle: t\nstatus: submitted\nclaimant: li\ndate: 2026-03-01\ncategory: office\namount: 90.00\n",
}

func open(t *testing.T, dir, email string) *Session {
	t.Helper()
	t.Setenv("GIT_AUTHOR_EMAIL", email)
	t.Setenv("HOME", dir)
	s, err := Open(context.Background(), dir, false, now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestNextID(t *testing.T) {
	dir := repoWith(t, dept)
	s := open(t, dir, "li@example.com")
	if id := NextID(dir, "records", s.idsOf(record.Expense), record.Expense, 2026); id != "EXP-2026-0008" {
		t.Fatalf("NextID = %s", id)
	}
	// a file that does not parse still holds its id
	os.WriteFile(filepath.Join(dir, "records/expenses/2026/EXP-2026-0011.yaml"), []byte("{"), 0o644)
	if id := NextID(dir, "records", s.idsOf(record.Expense), record.Expense, 2026); id != "EXP-2026-0012" {
		t.Fatalf("NextID = %s", id)
	}
	if id := NextID(dir, "records", s.idsOf(record.Expense), record.Expense, 2027); id != "EXP-2027-0001" {
		t.Fatalf("NextID = %s", id)
	}
}

func TestUnknownActorRefused(t *testing.T) {
	dir := repoWith(t, dept)
	t.Setenv("GIT_AUTHOR_EMAIL", "nobody@example.com")
	t.Setenv("HOME", dir)
	_, err := Open(context.Background(), dir, false, now)
	var r *Refused
	if !errors.As(err, &r) || !strings.Contains(r.Reason, "unknown person") {
		t.Fatalf("err = %v", err)
	}
}

func TestApproveOverBudgetRefusedAndNothingWritten(t *testing.T) {
	files := map[string]string{}
	for k, v := range dept {
		files[k] = v
	}
	files["records/expenses/2026/EXP-2026-0007.yaml"] = strings.Replace(dept["records/expenses/2026/EXP-2026-0007.yaml"], "90.00", "120.00", 1)
	dir := repoWith(t, files)
	s := open(t, dir, "wang@example.com")
	rec := s.Get("EXP-2026-0007")
	edits, err := MoveEdits(s, rec, "approved", "")
	if err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, rec.Path))
	_, err = s.Apply(context.Background(), edits, Message{Kind: rec.Kind, ID: rec.ID, Action: "approve"})
	var r *Refused
	if !errors.As(err, &r) || r.Rule != "budget-overspend" || r.Invalid {
		t.Fatalf("err = %v", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, rec.Path))
	if string(before) != string(after) {
		t.Fatal("file changed by a refused change")
	}
}

func TestApplyCommitsOnlyTheRecord(t *testing.T) {
	dir := repoWith(t, dept)
	os.WriteFile(filepath.Join(dir, "scratch.txt"), []byte("x"), 0o644)
	s := open(t, dir, "wang@example.com")
	rec := s.Get("EXP-2026-0007")
	edits, _ := MoveEdits(s, rec, "approved", "looks right")
	res, err := s.Apply(context.Background(), edits, Message{Kind: rec.Kind, ID: rec.ID, Action: "approve", Note: "looks right"})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := exec.Command("git", "-C", dir, "show", "--name-only", "--format=%B", res.Commit).Output()
	got := string(out)
	for _, want := range []string{"expense EXP-2026-0007: approve", "looks right", "Opsbook-Record: EXP-2026-0007", "Opsbook-Action: approve", "records/expenses/2026/EXP-2026-0007.yaml"} {
		if !strings.Contains(got, want) {
			t.Errorf("commit lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "scratch.txt") {
		t.Error("commit holds an unrelated file")
	}
}

func TestParseAssignment(t *testing.T) {
	a, err := ParseAssignment("items+={description: x, amount: 1}")
	if err != nil || !a.Append || a.Path != "items" {
		t.Fatalf("%+v %v", a, err)
	}
	for _, bad := range []string{"=x", "novalue", "a..b=1"} {
		if _, err := ParseAssignment(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := ApplyAssignments([]byte("kind: expense\nid: X\nstatus: draft\n"), []Assignment{{Path: "status", Value: "paid"}}, nil, false); err == nil {
		t.Error("status set without a move")
	}
}

// TestNextIDNear: a session opened near allocates the id NextID gives
// (the year folder's names are among the kind's ids), also with a
// record in a folder below the year's and with a file in the year's
// folder that does not parse (no record, but its name is kept clear of).
func TestNextIDNear(t *testing.T) {
	dir := repoWith(t, dept)
	os.MkdirAll(filepath.Join(dir, "records/expenses/2026/old"), 0o755)
	data, _ := os.ReadFile(filepath.Join(dir, "records/expenses/2026/EXP-2026-0007.yaml"))
	os.WriteFile(filepath.Join(dir, "records/expenses/2026/old/EXP-2026-0050.yaml"), bytes.ReplaceAll(data, []byte("EXP-2026-0007"), []byte("EXP-2026-0050")), 0o644)
	s := open(t, dir, "li@example.com")
	if s.near == nil {
		t.Fatal("the session was not opened near")
	}
	for _, year := range []int{2026, 2027} {
		if id, want := s.nextID(record.Expense, year), NextID(dir, "records", s.idsOf(record.Expense), record.Expense, year); id != want {
			t.Errorf("%d: nextID = %s, NextID = %s", year, id, want)
		}
	}
	if id := s.nextID(record.Expense, 2026); id != "EXP-2026-0051" {
		t.Errorf("nextID = %s, want EXP-2026-0051", id)
	}
	s.Close()
	// a file that does not parse is out of the set, near or whole, and
	// its name is kept clear of; one in another folder is not the year
	// folder's (NextID reads that folder alone)
	os.WriteFile(filepath.Join(dir, "records/expenses/2026/EXP-2026-0060.yaml"), []byte("{"), 0o644)
	os.WriteFile(filepath.Join(dir, "records/expenses/2026/old/EXP-2026-0070.yaml"), []byte("{"), 0o644)
	s = open(t, dir, "li@example.com")
	if s.near == nil {
		t.Fatal("not opened near with a file that does not parse")
	}
	if id, want := s.nextID(record.Expense, 2026), NextID(dir, "records", s.idsOf(record.Expense), record.Expense, 2026); id != "EXP-2026-0061" || want != id {
		t.Errorf("nextID = %s, NextID = %s, want EXP-2026-0061", id, want)
	}
}

// TestNoRecordWrittenOverAFile: a new person or a renumbered record is
// refused where a file that holds no record of that id is already there
// (it would be replaced, and what it held lost), near and whole.
func TestNoRecordWrittenOverAFile(t *testing.T) {
	for _, whole := range []bool{false, true} {
		dir := repoWith(t, dept)
		broken := map[string]string{
			"records/people/zhao.yaml":                 "kind: person\nid: [zhao\n",
			"records/expenses/2026/EXP-2026-0009.yaml": "",
		}
		for rel, data := range broken {
			os.WriteFile(filepath.Join(dir, rel), []byte(data), 0o644)
		}
		s := open(t, dir, "wang@example.com")
		if whole {
			if err := s.Whole(); err != nil {
				t.Fatal(err)
			}
		} else if s.near == nil {
			t.Fatal("not opened near")
		}
		if _, _, err := NewRecord(s, record.Person, "zhao", nil); err == nil || !strings.Contains(err.Error(), "records/people/zhao.yaml") {
			t.Errorf("whole %v: a new person over a broken file: %v", whole, err)
		}
		if _, err := RenumberEdits(s, "EXP-2026-0007", "EXP-2026-0009"); err == nil || !strings.Contains(err.Error(), "EXP-2026-0009.yaml") {
			t.Errorf("whole %v: a renumber over an empty file: %v", whole, err)
		}
		if _, err := RenumberEdits(s, "EXP-2026-0007", "EXP-2026-0010"); err != nil {
			t.Errorf("whole %v: a renumber to a free id: %v", whole, err)
		}
		for rel, data := range broken {
			if got, _ := os.ReadFile(filepath.Join(dir, rel)); string(got) != data {
				t.Errorf("%s changed", rel)
			}
		}
	}
}

// TestAddedErrorsCopiesNoMessage: a group's finding, one long message on
// many records, is compared without copying the message a record.
func TestAddedErrorsCopiesNoMessage(t *testing.T) {
	msg := strings.Repeat("PLN-2026-0001, ", 1000)
	var was, now []diag.Diagnostic
	for i := range 2000 {
		d := diag.Diagnostic{Path: fmt.Sprintf("records/plans/2026/PLN-2026-%04d.yaml", i), Severity: diag.Error, Rule: "plan-budget", Message: msg}
		was, now = append(was, d), append(now, d)
	}
	now = append(now, diag.Diagnostic{Path: "x", Severity: diag.Error, Rule: "plan-budget", Message: msg + "!"})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	added := addedErrors(was, now)
	runtime.ReadMemStats(&after)
	if len(added) != 1 || added[0].Path != "x" {
		t.Fatalf("added %v", added)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 2<<20 {
		t.Errorf("addedErrors allocated %d MB for 4,000 findings sharing a 15 KB message", grew>>20)
	}
}

// TestNextIDNearFolders: a session opened near allocates the id NextID
// gives when the year's folder holds a name the index does not (an empty
// folder named like a record file, or like an id): the whole session
// keeps clear of it, so the near one must too, rather than refuse or
// write another id.
func TestNextIDNearFolders(t *testing.T) {
	dir := repoWith(t, dept)
	os.MkdirAll(filepath.Join(dir, "records/expenses/2026/EXP-2026-0080.yaml"), 0o755)
	s := open(t, dir, "li@example.com")
	if s.near == nil {
		t.Fatal("the session was not opened near")
	}
	if id, want := s.nextID(record.Expense, 2026), NextID(dir, "records", s.idsOf(record.Expense), record.Expense, 2026); id != want || id != "EXP-2026-0081" {
		t.Errorf("nextID = %s, NextID = %s, want EXP-2026-0081", id, want)
	}
	s.Close()
	os.MkdirAll(filepath.Join(dir, "records/expenses/2026/EXP-2026-0090"), 0o755)
	s = open(t, dir, "li@example.com")
	if s.near == nil {
		t.Fatal("the session was not opened near")
	}
	if id, want := s.nextID(record.Expense, 2026), NextID(dir, "records", s.idsOf(record.Expense), record.Expense, 2026); id != want || id != "EXP-2026-0091" {
		t.Errorf("nextID = %s, NextID = %s, want EXP-2026-0091", id, want)
	}
	s.Close()
}

// TestRenumberUnreadable: renumbering an id whose file cannot be read as a
// record says so, near and whole, as set and move do, rather than that
// no record has the id.
func TestRenumberUnreadable(t *testing.T) {
	for _, whole := range []bool{false, true} {
		dir := repoWith(t, dept)
		os.WriteFile(filepath.Join(dir, "records/expenses/2026/EXP-2026-0007.yaml"), []byte("kind: expense\nid: [\n"), 0o644)
		s := open(t, dir, "wang@example.com")
		if whole {
			if err := s.Whole(); err != nil {
				t.Fatal(err)
			}
		}
		_, err := RenumberEdits(s, "EXP-2026-0007", "EXP-2026-0010")
		if err == nil || !strings.Contains(err.Error(), "could not be read") || !strings.Contains(err.Error(), "EXP-2026-0007.yaml") {
			t.Errorf("whole %v: %v", whole, err)
		}
		s.Close()
	}
}

// TestNoRecordWrittenOverAFolder: a new record whose file would be a
// folder already there is refused, naming it a folder (not a file).
func TestNoRecordWrittenOverAFolder(t *testing.T) {
	dir := repoWith(t, dept)
	os.MkdirAll(filepath.Join(dir, "records/people/zhao.yaml"), 0o755)
	s := open(t, dir, "wang@example.com")
	defer s.Close()
	_, _, err := NewRecord(s, record.Person, "zhao", nil)
	if err == nil || !strings.Contains(err.Error(), "records/people/zhao.yaml is already a folder") {
		t.Errorf("a new person over a folder: %v", err)
	}
}
