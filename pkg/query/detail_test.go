package query

import (
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/record"
)

const budget2026 = `kind: budget
id: BUD-2026
title: 2026
status: approved
year: 2026
lines:
  - {category: travel, amount: 1000.00}
  - {category: marketing, amount: 5000.00}
  - {category: marketing, project: PRJ-2026-0001, amount: 2000.00}
amendments:
  - {date: 2026-09-01, category: travel, amount: 500.00, reason: more}
`

const person = `kind: person
id: li.wei
name: 李偉
role: specialist
emails: [li.wei@example.com]
`

const secretComplaint = `kind: complaint
id: CMP-2026-0009
title: secret
status: received
classification: confidential
type: inquiry
channel: email
contact: {name: X}
category: billing
severity: low
received_at: 2026-11-25T09:00:00+08:00
summary: s
assignee: li.wei
`

func TestDescribeExpense(t *testing.T) {
	a := parseRecord(t, "records/expenses/2026/EXP-2026-0001.yaml", expenseA)
	b := parseRecord(t, "records/expenses/2026/EXP-2026-0002.yaml", expenseB)
	paidMarketing := parseRecord(t, "records/expenses/2026/EXP-2026-0003.yaml", `kind: expense
id: EXP-2026-0003
title: flyers
status: paid
claimant: li.wei
date: 2026-05-01
category: marketing
amount: 2500.00
project: PRJ-2026-0001
`)
	bud := parseRecord(t, "records/budgets/BUD-2026.yaml", budget2026)
	p := parseRecord(t, "records/people/li.wei.yaml", person)
	c := context(a, b, paidMarketing, bud, p)

	d := Describe(c, b, nil, false)
	e := d.Expense
	if e == nil || e.Receipts != "claim" || !e.ReceiptRequired || e.Counted || e.ItemsSum != nil || !e.ItemsMatch {
		t.Fatalf("expense detail: %+v", e)
	}
	// The category (lines incl. the project line: 7000) and the project line
	// (2000), each against the approved and paid claims of 2026.
	if len(e.Budget) != 2 {
		t.Fatalf("budget lines: %+v", e.Budget)
	}
	cat, proj := e.Budget[0], e.Budget[1]
	if cat.Category != "marketing" || cat.Budget.String() != "7000.00" || cat.Used.String() != "2500.00" || cat.Remaining.String() != "4500.00" || cat.Over {
		t.Errorf("category line: %+v", cat)
	}
	if proj.Project != "PRJ-2026-0001" || proj.Budget.String() != "2000.00" || proj.Remaining.String() != "-500.00" || !proj.Over {
		t.Errorf("project line: %+v", proj)
	}
	if len(d.Findings) != 0 || d.Findings == nil {
		t.Errorf("findings: %#v", d.Findings)
	}

	d = Describe(c, a, nil, false)
	if d.Expense.ItemsSum == nil || d.Expense.ItemsSum.String() != "0.30" || !d.Expense.ItemsMatch || d.Expense.Receipts != "partial" {
		t.Errorf("items: %+v", d.Expense)
	}
	// travel 2026: one line of 1000 plus an amendment of 500; the paid claim
	// of 0.30 is used.
	if u := d.Expense.Budget[0]; u.Budget.String() != "1500.00" || u.Used.String() != "0.30" || !u.Budgeted {
		t.Errorf("travel: %+v", u)
	}
	// References out: claimant resolves, with its title.
	if len(d.RefsOut) != 1 || d.RefsOut[0] != (Reference{Field: "claimant", ID: "li.wei", Kind: "person", Title: "李偉"}) {
		t.Errorf("refs out: %+v", d.RefsOut)
	}
	// b names a project that does not exist.
	d = Describe(c, b, nil, false)
	var missing *Reference
	for i := range d.RefsOut {
		if d.RefsOut[i].Field == "project" {
			missing = &d.RefsOut[i]
		}
	}
	if missing == nil || !missing.Missing || missing.Kind != "project" {
		t.Errorf("missing project: %+v", d.RefsOut)
	}
}

func TestDescribeReferencesInAndRedaction(t *testing.T) {
	a := parseRecord(t, "records/expenses/2026/EXP-2026-0001.yaml", expenseA)
	p := parseRecord(t, "records/people/li.wei.yaml", person)
	s := parseRecord(t, "records/complaints/2026/CMP-2026-0009.yaml", secretComplaint)
	cus := parseRecord(t, "records/customers/CUS-0001.yaml", "kind: customer\nid: CUS-0001\nname: 青禾\nclassification: confidential\n")
	cmp := parseRecord(t, "records/complaints/2026/CMP-2026-0001.yaml", complaintA)
	c := context(a, p, s, cus, cmp)

	d := Describe(c, p, nil, false)
	var in []string
	for _, r := range d.RefsIn {
		in = append(in, r.ID+":"+r.Field)
	}
	if got := strings.Join(in, " "); got != "CMP-2026-0009:assignee EXP-2026-0001:claimant" {
		t.Errorf("refs in: %s", got)
	}
	d = Describe(c, p, nil, true)
	in = nil
	for _, r := range d.RefsIn {
		in = append(in, r.ID)
	}
	if got := strings.Join(in, " "); got != "EXP-2026-0001" {
		t.Errorf("redacted refs in: %s", got)
	}

	d = Describe(c, cmp, nil, true)
	for _, r := range d.RefsOut {
		if r.ID == "CUS-0001" && r.Title != Redacted {
			t.Errorf("confidential customer's name shown: %+v", r)
		}
	}
	if d.SLA == nil || !d.SLA.Respond.Breach || d.SLA.Respond.Elapsed != "10h0m0s" || d.SLA.Respond.Due != "2026-03-02T09:00:00+08:00" || d.SLA.Resolve.Running {
		t.Errorf("sla: %+v", d.SLA)
	}
	// The field list follows the file and leaves the envelope to the heading.
	lines := d.Lines()
	if lines[0].Path != "type" || lines[len(lines)-1].Path != "satisfaction" {
		t.Errorf("lines: %+v", lines)
	}
	for _, l := range lines {
		if l.Path == "related" && l.Value != "CMP-2026-0002, CMP-2026-0003" {
			t.Errorf("related: %q", l.Value)
		}
		if l.Path == "id" || l.Path == "title" {
			t.Errorf("envelope listed: %v", l)
		}
	}

	open := parseRecord(t, "records/complaints/2026/CMP-2026-0010.yaml",
		strings.NewReplacer("classification: confidential\n", "", "0009", "0010").Replace(secretComplaint))
	d = Describe(c, open, nil, true)
	contact, _ := d.Fields.Get("contact")
	if name, _ := contact.(record.Map).Get("name"); name != Redacted {
		t.Errorf("contact not redacted: %v", d.Fields)
	}
}

func TestDescribeAppraisal(t *testing.T) {
	r := parseRecord(t, "records/appraisals/2026/APR-2026-0002.yaml", `kind: appraisal
id: APR-2026-0002
title: x
status: submitted
employee: li.wei
appraiser: zhang.min
period: 2026
indicators:
  - {name: a, weight: 50, score: 40}
  - {name: b, weight: 40, score: 45.5}
total: 38.2
rating: below
`)
	d := Describe(context(r), r, nil, false)
	a := d.Appraisal
	if a.Weights != "90" || a.ComputedTotal != "38.2" || a.ComputedRating != "unsatisfactory" || a.Rating != "below" || !a.BelowStandard {
		t.Errorf("appraisal: %+v", a)
	}
}

// TestRedactedFieldNamesNobody: a training's evaluation is redacted, so
// --redact names its evaluator neither among the training's references nor
// among the evaluator's "referenced by" (it showed wang.fang in both).
func TestRedactedFieldNamesNobody(t *testing.T) {
	p := parseRecord(t, "records/people/li.wei.yaml", person)
	trn := parseRecord(t, "records/trainings/2026/TRN-2026-0001.yaml", `kind: training
id: TRN-2026-0001
title: 保密
status: evaluated
organiser: zhang.min
date: 2026-03-12
topic: confidentiality
delivery: internal
hours: 2
attendees:
  - person: zhang.min
    attended: true
evaluation:
  date: 2026-03-20
  by: li.wei
  assessment: 有效
`)
	c := context(p, trn)
	for _, r := range Describe(c, trn, nil, true).RefsOut {
		if r.Field == "evaluation.by" || r.ID == "li.wei" || r.ID == Redacted {
			t.Errorf("redacted training names %+v", r)
		}
	}
	for _, r := range Describe(c, p, nil, true).RefsIn {
		if r.ID == "TRN-2026-0001" {
			t.Errorf("li.wei's referenced-by names the redacted evaluation: %+v", r)
		}
	}
	// without --redact both are there
	found := false
	for _, r := range Describe(c, trn, nil, false).RefsOut {
		found = found || r.Field == "evaluation.by" && r.ID == "li.wei"
	}
	if !found {
		t.Error("evaluation.by missing without --redact")
	}
}
