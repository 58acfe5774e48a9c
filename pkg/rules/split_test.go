package rules

import (
	"fmt"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/record"
)

func claim(n int, claimant, date, status, amount, extra string) (string, string) {
	id := fmt.Sprintf("EXP-2026-%04d", n)
	return "records/expenses/2026/" + id + ".yaml", fmt.Sprintf("kind: expense\nid: %s\ntitle: t\nstatus: %s\nclaimant: %s\ndate: %s\ncategory: travel\namount: %s\n%s", id, status, claimant, date, amount, extra)
}

func TestSplitClaim(t *testing.T) {
	const h = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	type c struct {
		n                                  int
		claimant, date, status, amt, extra string
	}
	cases := []struct {
		name   string
		claims []c
		warned []int  // claims that get the warning
		field  string // where it points
		msg    string
	}{
		{"one day over the manager's limit", []c{{1, "li.wei", "2026-03-01", "submitted", "3000.00", ""}, {2, "li.wei", "2026-03-01", "submitted", "2500.00", ""}}, []int{1, 2}, "date", "total 5500.00, over the manager's approval limit 5000.00"},
		{"one day under the limit", []c{{1, "li.wei", "2026-03-01", "submitted", "2000.00", ""}, {2, "li.wei", "2026-03-01", "submitted", "2000.00", ""}}, nil, "", ""},
		{"two claimants one day", []c{{1, "li.wei", "2026-03-01", "submitted", "3000.00", ""}, {2, "zhang.min", "2026-03-01", "submitted", "2500.00", ""}}, nil, "", ""},
		{"two days", []c{{1, "li.wei", "2026-03-01", "submitted", "3000.00", ""}, {2, "li.wei", "2026-03-02", "submitted", "2500.00", ""}}, nil, "", ""},
		{"a rejected part does not count", []c{{1, "li.wei", "2026-03-01", "submitted", "3000.00", ""}, {2, "li.wei", "2026-03-01", "rejected", "2500.00", ""}}, nil, "", ""},
		{"one part already over: the director's limit is the next", []c{{1, "li.wei", "2026-03-01", "approved", "6000.00", ""}, {2, "li.wei", "2026-03-01", "submitted", "100.00", ""}}, nil, "", ""},
		{"over the director's limit", []c{{1, "li.wei", "2026-03-01", "approved", "30000.00", ""}, {2, "li.wei", "2026-03-01", "submitted", "30000.00", ""}}, []int{1, 2}, "date", "director's approval limit 50000.00"},
		{"one receipt by path", []c{{1, "li.wei", "2026-03-01", "submitted", "3000.00", "receipt: attachments/x/r.pdf\n"}, {2, "zhang.min", "2026-03-09", "submitted", "2500.00", "items:\n  - description: d\n    amount: 2500.00\n    receipt: attachments/x/r.pdf\n"}}, []int{1, 2}, "", "sharing the receipt attachments/x/r.pdf"},
		{"one receipt by hash", []c{{1, "li.wei", "2026-03-01", "submitted", "3000.00", "receipt: attachments/a/r.pdf\nattachments:\n  - path: attachments/a/r.pdf\n    sha256: " + h + "\n"}, {2, "li.wei", "2026-04-01", "submitted", "2500.00", "receipt: attachments/b/copy.pdf\nattachments:\n  - path: attachments/b/copy.pdf\n    sha256: " + h + "\n"}}, []int{1, 2}, "receipt", "sharing a receipt with SHA-256 aaaaaaaaaaaa"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{}
			texts := map[int]string{}
			for _, x := range tc.claims {
				p, s := claim(x.n, x.claimant, x.date, x.status, x.amt, x.extra)
				files[p], texts[x.n] = s, s
			}
			ds := check(t, files)
			var got []diag.Diagnostic
			for _, d := range ds {
				if d.Rule == "split-claim" {
					got = append(got, d)
				}
			}
			if len(got) != len(tc.warned) {
				t.Fatalf("want split-claim on %v, got %v", tc.warned, got)
			}
			for _, n := range tc.warned {
				p, _ := claim(n, "", "", "", "", "")
				rec, _ := record.Parse(p, []byte(texts[n]))
				field := tc.field
				if field == "" {
					field = "receipt"
					if !rec.Has("receipt") {
						field = "items.0.receipt"
					}
				}
				line, col := rec.Pos(field)
				if !has(got, p, "split-claim", diag.Warning, tc.msg) {
					t.Errorf("%s: no warning containing %q in %v", p, tc.msg, got)
				}
				for _, d := range got {
					if d.Path == p && (d.Line != line || d.Column != col) {
						t.Errorf("%s: at %d:%d, want %s %d:%d", p, d.Line, d.Column, field, line, col)
					}
					if d.Path == p && !strings.Contains(d.Message, "EXP-2026-0001, EXP-2026-0002") {
						t.Errorf("%s: %s does not name both claims", p, d.Message)
					}
				}
			}
		})
	}
}

// A receipt on two claims that pass no limit together is still one receipt:
// the second claim of an approved claim's receipt (the same path, or a copy
// under another name with its SHA-256) is named receipt-shared on both; a
// rejected claim does not count, and a split over a limit is split-claim
// alone.
func TestReceiptShared(t *testing.T) {
	const h = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	listed := func(p string) string {
		return "receipt: " + p + "\nattachments:\n  - path: " + p + "\n    sha256: " + h + "\n"
	}
	for _, tc := range []struct {
		name             string
		first, second    string // extra fields
		status2, amount2 string
		shared, split    int
	}{
		{"same path", "receipt: attachments/EXP-2026-0001/r.pdf\n", "receipt: attachments/EXP-2026-0001/r.pdf\n", "submitted", "120.00", 2, 0},
		{"a copy with the same SHA-256", listed("attachments/EXP-2026-0001/r.pdf"), listed("attachments/EXP-2026-0002/copy.pdf"), "draft", "120.00", 2, 0},
		{"the second rejected", listed("attachments/EXP-2026-0001/r.pdf"), listed("attachments/EXP-2026-0002/copy.pdf"), "rejected", "120.00", 0, 0},
		{"over a limit together", listed("attachments/EXP-2026-0001/r.pdf"), listed("attachments/EXP-2026-0002/copy.pdf"), "submitted", "4900.00", 0, 2},
		{"different receipts", listed("attachments/EXP-2026-0001/r.pdf"), "receipt: attachments/EXP-2026-0002/other.pdf\n", "submitted", "120.00", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{}
			p1, s1 := claim(1, "li.wei", "2026-03-01", "paid", "300.00", tc.first)
			p2, s2 := claim(2, "li.wei", "2026-04-01", tc.status2, tc.amount2, tc.second)
			files[p1], files[p2] = s1, s2
			shared, split := 0, 0
			for _, d := range check(t, files) {
				switch d.Rule {
				case "receipt-shared":
					shared++
					if d.Severity != diag.Warning || !strings.Contains(d.Message, "EXP-2026-0001, EXP-2026-0002") || !strings.Contains(d.Message, "a receipt is reimbursed once") {
						t.Errorf("%v", d)
					}
				case "split-claim":
					split++
				}
			}
			if shared != tc.shared || split != tc.split {
				t.Errorf("receipt-shared %d, split-claim %d; want %d, %d", shared, split, tc.shared, tc.split)
			}
		})
	}
}
