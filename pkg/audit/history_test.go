package audit

import (
	"context"
	"os"
	"strings"
	"testing"
)

func moves(evs []Event) string {
	var b strings.Builder
	for _, e := range evs {
		b.WriteString(e.Date.Format("01-02 15:04") + " " + e.Actor.String() + " " + e.Record + " " + e.Move())
		for _, f := range e.Fields {
			before, after := "-", "-"
			if f.Before != nil {
				before = *f.Before
			}
			if f.After != nil {
				after = *f.After
			}
			b.WriteString("; " + f.Field + ": " + before + " → " + after)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestHistory(t *testing.T) {
	tr := honest(t)
	evs, err := tr.open().History(context.Background(), "EXP-2026-0001")
	if err != nil {
		t.Fatal(err)
	}
	// The merge is not a move: the branch's commits are.
	want := `03-02 11:00 li.wei (specialist) EXP-2026-0001 created (draft)
03-02 12:00 li.wei (specialist) EXP-2026-0001 draft → submitted; amount: 980.50 → 1280.50
03-02 13:00 zhang.min (manager) EXP-2026-0001 submitted → approved
03-02 15:00 he.jing (finance) EXP-2026-0001 approved → paid
`
	if got := moves(evs); got != want {
		t.Errorf("history:\n%s\nwant:\n%s", got, want)
	}
	for _, e := range evs {
		if len(e.Commit.String()) != 40 || e.Merge {
			t.Errorf("event %+v", e)
		}
	}

	tr.git("rm", "-q", expensePath("EXP-2026-0001"))
	tr.commit("li.wei", "drop")
	evs, err = tr.open().History(context.Background(), "EXP-2026-0001")
	if err != nil {
		t.Fatal(err)
	}
	if last := evs[len(evs)-1]; last.Move() != "deleted (paid)" || last.Actor.Handle != "li.wei" {
		t.Errorf("last event: %s by %s", last.Move(), last.Actor)
	}

	evs, err = tr.open().History(context.Background(), "li.wei")
	if err != nil {
		t.Fatal(err)
	}
	if got := moves(evs); got != "03-02 10:00 wang.fang (director) li.wei created (no status)\n" {
		t.Errorf("person history: %s", got)
	}
	if _, err := tr.open().History(context.Background(), "EXP-2026-0999"); err == nil {
		t.Error("history of a record that never was")
	}
}

func TestHistoryUnknownActorShowsIdentity(t *testing.T) {
	tr := honest(t)
	tr.edit(expensePath("EXP-2026-0001"), "title: 上海客戶拜訪差旅", "title: 上海客戶拜訪")
	tr.git("add", "-A")
	tr.commitAs("Mallory", "mallory@example.org", "retitle")
	evs, err := tr.open().History(context.Background(), "EXP-2026-0001")
	if err != nil {
		t.Fatal(err)
	}
	last := evs[len(evs)-1]
	if last.Actor.String() != "Mallory <mallory@example.org>" || last.Move() != "edited (paid)" || len(last.Fields) != 1 || last.Fields[0].Field != "title" {
		t.Errorf("last event: %s %s %+v", last.Actor, last.Move(), last.Fields)
	}
}

func TestLog(t *testing.T) {
	tr := honest(t)
	evs, err := tr.open().Log(context.Background(), LogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Newest first; the registry's creation is seven person records.
	var got []string
	for _, e := range evs {
		got = append(got, e.Record+" "+e.Move())
	}
	head := strings.Join(got[:4], "|")
	if head != "EXP-2026-0001 approved → paid|EXP-2026-0001 submitted → approved|EXP-2026-0001 draft → submitted|EXP-2026-0001 created (draft)" || len(got) != 11 {
		t.Errorf("log: %q", got)
	}
	evs, err = tr.open().Log(context.Background(), LogOptions{Actor: "zhang.min"})
	if err != nil || len(evs) != 1 || evs[0].Move() != "submitted → approved" {
		t.Errorf("log --actor zhang.min: %v %v", evs, err)
	}
	evs, err = tr.open().Log(context.Background(), LogOptions{Kind: "person", Limit: 2})
	if err != nil || len(evs) != 2 || evs[0].Kind != "person" {
		t.Errorf("log --kind person -n 2: %v %v", evs, err)
	}
}

// Records kept in a folder of a larger git repository: paths in the trees
// carry the folder.
func TestRecordsInASubfolder(t *testing.T) {
	tr := newTestRepo(t)
	tr.write("README.md", "the company's repository\n")
	tr.people(defaultPolicy)
	os.MkdirAll(tr.dir+"/dept", 0o755)
	os.Rename(tr.dir+"/.opsbook.yaml", tr.dir+"/dept/.opsbook.yaml")
	os.Rename(tr.dir+"/records", tr.dir+"/dept/records")
	tr.commit("wang.fang", "people")
	tr.write("dept/"+expensePath("EXP-2026-0001"), expense("EXP-2026-0001", "draft", "li.wei", "10.00"))
	tr.commit("li.wei", "new")
	tr.edit("dept/"+expensePath("EXP-2026-0001"), "status: draft", "status: approved")
	self := tr.commit("li.wei", "approve")
	r, err := Open(tr.dir + "/dept")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	evs, err := r.History(context.Background(), "EXP-2026-0001")
	if err != nil || len(evs) != 2 || evs[1].Path != "dept/"+expensePath("EXP-2026-0001") {
		t.Fatalf("history: %v %v", evs, err)
	}
	rep, err := r.Verify(context.Background(), VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantViolations(t, rep, short(self)+" move-illegal EXP-2026-0001")
}

// A verify of a range indexes only the range; history afterwards indexes
// the rest.
func TestHistoryAfterRangeVerify(t *testing.T) {
	tr := honest(t)
	wantViolations(t, tr.verify("main~1..main"))
	evs, err := tr.open().History(context.Background(), "EXP-2026-0001")
	if err != nil || len(evs) != 4 {
		t.Fatalf("history after a range verify: %d events, %v", len(evs), err)
	}
}
