package rules

import (
	"fmt"
	"testing"
	"unsafe"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/diag"
)

// groupFiles is n claims of one claimant on one day, each under the
// manager's limit and all sharing one receipt: one split-claim group of n
// (by the day, and by the receipt) naming every claim.
func groupFiles(n int) map[string]string {
	files := map[string]string{}
	for i := 1; i <= n; i++ {
		p, s := claim(i, "li.wei", "2026-03-01", "submitted", "3000.00", "receipt: attachments/x/r.pdf\n")
		files[p] = s
	}
	return files
}

// A group's finding names every record of the group and is put on each:
// the records' diagnostics share one message (the same bytes), worded
// once, so a group of k records costs k, not k², in memory. Wording it
// once a record kept k copies of a message naming k ids (gigabytes at
// 300,000 copies of the sample).
func TestGroupFindingSharesItsMessage(t *testing.T) {
	const n = 40
	ds := check(t, groupFiles(n))
	var got []diag.Diagnostic
	for _, d := range ds {
		if d.Rule == "split-claim" {
			got = append(got, d)
		}
	}
	if len(got) != n {
		t.Fatalf("want split-claim on all %d claims, got %d: %v", n, len(got), got)
	}
	for _, d := range got[1:] {
		if d.Message != got[0].Message || d.Text != got[0].Text {
			t.Fatalf("one group, two messages:\n%s\n%s", got[0].Message, d.Message)
		}
		if unsafe.StringData(d.Message) != unsafe.StringData(got[0].Message) || unsafe.StringData(d.Text) != unsafe.StringData(got[0].Text) {
			t.Fatalf("%s: its message is a copy, not the group's", d.Path)
		}
	}
	// it names the first groupNames claims and counts the rest: a group
	// of a thousand does not print a thousand ids on each of its records
	if want := fmt.Sprintf("EXP-2026-%04d and %d more records by", groupNames, n-groupNames); !has(got, got[0].Path, "split-claim", diag.Warning, want) {
		t.Errorf("the message does not name the first %d and count %d more: %s", groupNames, n-groupNames, got[0].Message)
	}
	if bad := fmt.Sprintf("EXP-2026-%04d", groupNames+1); has(got, got[0].Path, "split-claim", diag.Warning, bad) {
		t.Errorf("the message names %s, past the first %d: %s", bad, groupNames, got[0].Message)
	}
}

// A group whose findings are not kept (Context.Keep) is never worded; a
// group of which one record's finding is kept gets that one alone.
func TestGroupFindingKeep(t *testing.T) {
	files := groupFiles(3)
	p2, _ := claim(2, "", "", "", "", "")
	c := &Context{Set: baseWith(t, files), Policy: config.Default(), Now: now, Exists: func(string) bool { return true },
		Keep: func(path, rule string, sev diag.Severity) bool { return path == p2 }}
	var got []diag.Diagnostic
	for _, d := range Check(c) {
		if d.Rule == "split-claim" {
			got = append(got, d)
		}
	}
	if len(got) != 1 || got[0].Path != p2 {
		t.Fatalf("want split-claim kept on %s alone, got %v", p2, got)
	}
}

// BenchmarkSplitGroup checks one split-claim group of N claims (one
// claimant, one day, one receipt), the finding put on every claim. Its
// cost per claim stays flat as N grows (see TestGroupFindingSharesItsMessage):
//
//	go test ./pkg/rules -run '^$' -bench SplitGroup -benchmem
func BenchmarkSplitGroup(b *testing.B) {
	for _, n := range []int{500, 5000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			set := baseWith(b, groupFiles(n))
			pol := config.Default()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				ds := Check(&Context{Set: set, Policy: pol, Now: now, Exists: func(string) bool { return true }})
				if len(ds) < n {
					b.Fatalf("%d findings for %d claims", len(ds), n)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/claim")
		})
	}
}
