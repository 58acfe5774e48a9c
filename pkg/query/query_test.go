package query

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/rules"
)

var now = time.Date(2026, 11, 26, 15, 0, 0, 0, time.FixedZone("CST", 8*3600))

func parseRecord(t *testing.T, path, text string) *record.Record {
	t.Helper()
	r, ds := record.Parse(path, []byte(text))
	if r == nil || len(ds) > 0 {
		t.Fatalf("parsing %s: %v", path, ds)
	}
	return r
}

func context(recs ...*record.Record) *rules.Context {
	return &rules.Context{Set: record.NewSet(append([]*record.Record(nil), recs...)), Policy: config.Default(), Now: now}
}

const expenseA = `kind: expense
id: EXP-2026-0001
title: 上海客戶拜訪差旅
status: paid
claimant: li.wei
date: 2026-03-01
category: travel
amount: 0.30
items:
  - description: 高鐵票
    amount: 0.10
    receipt: attachments/a.txt
  - description: Taxi
    amount: 0.20
`

const expenseB = `kind: expense
id: EXP-2026-0002
title: Printing flyers
status: submitted
claimant: zhou.jie
date: 2026-02-28
category: marketing
amount: "1280.50"
project: PRJ-2026-0001
receipt: attachments/b.txt
`

const expenseC = `kind: expense
id: EXP-2025-0009
title: Big
status: approved
claimant: li.wei
date: 2025-12-31
category: marketing
amount: 1234567890123.45
`

func expenses(t *testing.T) []*Row {
	recs := []*record.Record{
		parseRecord(t, "records/expenses/2026/EXP-2026-0001.yaml", expenseA),
		parseRecord(t, "records/expenses/2026/EXP-2026-0002.yaml", expenseB),
		parseRecord(t, "records/expenses/2025/EXP-2025-0009.yaml", expenseC),
	}
	return NewRows(context(recs...), recs, false)
}

func fieldsOf(t *testing.T, k record.Kind) *Fields {
	t.Helper()
	f, err := FieldsOf(k)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// ids runs an expression over rows and returns the ids that match.
func ids(t *testing.T, k record.Kind, rows []*Row, expr string) string {
	t.Helper()
	q, err := Parse(expr, fieldsOf(t, k))
	if err != nil {
		t.Fatalf("Parse(%q): %v", expr, err)
	}
	var out []string
	for _, r := range q.Filter(rows) {
		out = append(out, r.Record.ID)
	}
	return strings.Join(out, " ")
}

func TestOperatorsOnExpenses(t *testing.T) {
	rows := expenses(t)
	cases := []struct{ expr, want string }{
		{"", "EXP-2026-0001 EXP-2026-0002 EXP-2025-0009"},
		// text
		{"status = paid", "EXP-2026-0001"},
		{"status == paid", "EXP-2026-0001"},
		{"status != paid", "EXP-2026-0002 EXP-2025-0009"},
		{"status < paid", "EXP-2025-0009"},
		{"claimant >= zhou", "EXP-2026-0002"},
		{"status in (submitted, approved)", "EXP-2026-0002 EXP-2025-0009"},
		{"status not in (submitted, approved)", "EXP-2026-0001"},
		{"status IN (paid) OR status = approved", "EXP-2026-0001 EXP-2025-0009"},
		{"title contains FLYER", "EXP-2026-0002"},
		{"title contains 客戶", "EXP-2026-0001"},
		{"title not contains 客戶", "EXP-2026-0002 EXP-2025-0009"},
		{"title ~ '^P.*s$'", "EXP-2026-0002"},
		{"title !~ '^P'", "EXP-2026-0001 EXP-2025-0009"},
		{`title = "Printing flyers"`, "EXP-2026-0002"},
		{"claimant = li.wei", "EXP-2026-0001 EXP-2025-0009"},
		// exact decimals: the literal 0.30 in the file equals 0.3
		{"amount = 0.3", "EXP-2026-0001"},
		{"amount = 0.300", "EXP-2026-0001"},
		{"amount > 0.29 and amount < 0.31", "EXP-2026-0001"},
		{"amount >= 1280.5", "EXP-2026-0002 EXP-2025-0009"},
		{"amount <= 1280.50", "EXP-2026-0001 EXP-2026-0002"},
		{"amount = 1234567890123.45", "EXP-2025-0009"},
		{"amount > 1234567890123.44", "EXP-2025-0009"},
		{"amount in (0.3, 1280.5)", "EXP-2026-0001 EXP-2026-0002"},
		{"amount != 0.30", "EXP-2026-0002 EXP-2025-0009"},
		{"items.amount = 0.1", "EXP-2026-0001"},
		{"items.1.amount = 0.2", "EXP-2026-0001"},
		{"items.1.amount = 0.1", ""},
		{"items_sum = 0.3", "EXP-2026-0001"},
		// dates
		{"date >= 2026-03-01", "EXP-2026-0001"},
		{"date < 2026-03-01", "EXP-2026-0002 EXP-2025-0009"},
		{"date = 2026-02-28", "EXP-2026-0002"},
		{"date > 2026-02-28T23:00:00+08:00", "EXP-2026-0001"},
		{"year = 2026", "EXP-2026-0001 EXP-2026-0002"},
		{"month = 2026-03", "EXP-2026-0001"},
		{"month >= 2026-02", "EXP-2026-0001 EXP-2026-0002"},
		// missing fields match nothing, negated or not
		{"project = PRJ-2026-0001", "EXP-2026-0002"},
		{"project != PRJ-2026-0001", ""},
		{"not project = PRJ-2026-0001", "EXP-2026-0001 EXP-2025-0009"},
		{"project", "EXP-2026-0002"},
		{"not project", "EXP-2026-0001 EXP-2025-0009"},
		{"note = x or note != x or note ~ x", ""},
		// derived
		{"receipt_status = items", ""},
		{"receipt_status = partial", "EXP-2026-0001"},
		{"receipt_status = claim", "EXP-2026-0002"},
		{"receipt_status = none", "EXP-2025-0009"},
		{"receipt_required", "EXP-2026-0002 EXP-2025-0009"},
		{"receipt_required = false", "EXP-2026-0001"},
		{"kind = expense and path ~ '/2025/'", "EXP-2025-0009"},
		{"id = EXP-2026-0002", "EXP-2026-0002"},
		// the example of the issue
		{"status in (submitted, approved) and amount > 1000 and date >= 2025-12-01", "EXP-2026-0002 EXP-2025-0009"},
	}
	for _, c := range cases {
		if got := ids(t, record.Expense, rows, c.expr); got != c.want {
			t.Errorf("%q: got [%s], want [%s]", c.expr, got, c.want)
		}
	}
}

func TestPrecedence(t *testing.T) {
	rows := expenses(t)
	cases := []struct{ expr, want string }{
		// and binds tighter than or
		{"status = paid or status = submitted and amount > 5000", "EXP-2026-0001"},
		{"(status = paid or status = submitted) and amount > 1000", "EXP-2026-0002"},
		// not binds tighter than and
		{"not status = paid and claimant = li.wei", "EXP-2025-0009"},
		{"not (status = paid and claimant = li.wei)", "EXP-2026-0002 EXP-2025-0009"},
		{"not not status = paid", "EXP-2026-0001"},
		{"((status = paid))", "EXP-2026-0001"},
		{"status = paid or status = approved or status = submitted and claimant = nobody", "EXP-2026-0001 EXP-2025-0009"},
	}
	for _, c := range cases {
		if got := ids(t, record.Expense, rows, c.expr); got != c.want {
			t.Errorf("%q: got [%s], want [%s]", c.expr, got, c.want)
		}
	}
}

const complaintA = `kind: complaint
id: CMP-2026-0001
title: 到貨延遲
status: closed
type: complaint
channel: phone
customer: CUS-0001
category: delivery
severity: medium
received_at: 2026-03-02T01:00:00+08:00
summary: 延遲
assignee: wu.qiang
acknowledged_at: 2026-03-02T11:00:00+08:00
resolution:
  solution: 補發
  resolved_at: 2026-03-04T01:00:00+08:00
related: [CMP-2026-0002, CMP-2026-0003]
satisfaction: 4
`

const complaintB = `kind: complaint
id: CMP-2026-0002
title: Billing question
status: received
type: inquiry
channel: email
classification: confidential
contact:
  name: Ms Lee
  phone: "123"
category: billing
severity: high
received_at: 2026-11-25T09:00:00Z
summary: asks about an invoice
`

func complaints(t *testing.T) []*Row {
	recs := []*record.Record{
		parseRecord(t, "records/complaints/2026/CMP-2026-0001.yaml", complaintA),
		parseRecord(t, "records/complaints/2026/CMP-2026-0002.yaml", complaintB),
	}
	return NewRows(context(recs...), recs, false)
}

func TestInstantsDurationsAndLists(t *testing.T) {
	rows := complaints(t)
	cases := []struct{ expr, want string }{
		// an instant against a date is compared by its day in its own offset
		// (01:00 at +08:00 on 2 March is 1 March in UTC)
		{"received_at = 2026-03-02", "CMP-2026-0001"},
		{"received_at = 2026-03-01", ""},
		{"received_at >= 2026-03-02 and received_at < 2026-03-03", "CMP-2026-0001"},
		// against an instant, by the point in time whatever the offsets
		{"received_at = 2026-03-01T17:00:00Z", "CMP-2026-0001"},
		{"received_at < 2026-03-01T17:00:01Z", "CMP-2026-0001"},
		{"received_at > 2026-11-25T16:59:59+08:00", "CMP-2026-0002"},
		{"resolution.resolved_at <= 2026-03-04", "CMP-2026-0001"},
		// durations
		{"response_time = 10h", "CMP-2026-0001"},
		{"response_time > 8h", "CMP-2026-0001"},
		{"response_time <= 600m", "CMP-2026-0001"},
		{"resolution_time = 2d", "CMP-2026-0001"},
		{"resolution_time < 1d23h59m", ""},
		{"resolution_time >= 47.5h", "CMP-2026-0001"},
		{"resolution_time = 48h0m0s", "CMP-2026-0001"},
		{"response_time", "CMP-2026-0001"},
		{"not response_time", "CMP-2026-0002"},
		{"age > 20h and age < 1d", "CMP-2026-0002"},
		// SLA: medium responds within 8h (took 10h); high within 4h (open 22h)
		{"sla_breach", "CMP-2026-0001 CMP-2026-0002"},
		{"response_breach = true and resolution_breach = false", "CMP-2026-0001 CMP-2026-0002"},
		{"resolution_breach = false", "CMP-2026-0001 CMP-2026-0002"},
		// lists: = and in match any element, contains is membership
		{"related contains CMP-2026-0002", "CMP-2026-0001"},
		{"related contains CMP-2026", ""},
		{"related = CMP-2026-0003", "CMP-2026-0001"},
		{"related.0 = CMP-2026-0002", "CMP-2026-0001"},
		{"related not contains CMP-2026-0009", "CMP-2026-0001"},
		{"contact.name ~ '(?i)lee'", "CMP-2026-0002"},
		{"contact", "CMP-2026-0002"},
		{"satisfaction = 4", "CMP-2026-0001"},
		{"satisfaction >= 3", "CMP-2026-0001"},
		{"classification = confidential", "CMP-2026-0002"},
	}
	for _, c := range cases {
		if got := ids(t, record.Complaint, rows, c.expr); got != c.want {
			t.Errorf("%q: got [%s], want [%s]", c.expr, got, c.want)
		}
	}
}

func TestAppraisalDerived(t *testing.T) {
	r := parseRecord(t, "records/appraisals/2026/APR-2026-0001.yaml", `kind: appraisal
id: APR-2026-0001
title: x
status: draft
employee: li.wei
appraiser: zhang.min
period: 2026-H1
indicators:
  - {name: a, weight: 60, score: 94}
  - {name: b, weight: 25, score: 86}
  - {name: c, weight: 15, score: 90}
`)
	rows := NewRows(context(r), []*record.Record{r}, false)
	for _, expr := range []string{"computed_total = 91.4", "computed_total = 91.40", "computed_rating = outstanding", "indicators.weight = 25", "period = 2026-H1"} {
		if got := ids(t, record.Appraisal, rows, expr); got != "APR-2026-0001" {
			t.Errorf("%q did not match", expr)
		}
	}
}

func TestErrorsPointAtTheMistake(t *testing.T) {
	cases := []struct {
		kind      record.Kind
		expr      string
		col, span int
		msg       string
	}{
		{record.Expense, "amount => 5", 8, 2, `unknown operator "=>" (did you mean ">="?)`},
		{record.Expense, "status <> paid", 8, 2, `unknown operator "<>" (did you mean "!="?)`},
		{record.Expense, "status = paid && amount > 1", 15, 2, `did you mean "and"?`},
		{record.Expense, "(status = paid", 1, 1, "unclosed parenthesis"},
		{record.Expense, "status = paid and (amount > 1 or (date < 2026-01-01)", 19, 1, "unclosed parenthesis"},
		{record.Expense, "status in (paid, approved", 11, 1, "unclosed parenthesis"},
		{record.Expense, "status = paid)", 14, 1, "unexpected ) with no ( to close"},
		{record.Expense, "title ~ '[a'", 9, 4, "bad regular expression: missing closing ]"},
		{record.Expense, "title ~ a(", 10, 1, "expected"},
		{record.Expense, "date >= paid", 9, 4, `comparing date field "date" to text "paid"`},
		{record.Expense, "date = 2026-02-30", 8, 10, "2026-02-30 is not a real date"},
		{record.Expense, "stauts = paid", 1, 6, `unknown field "stauts" for expense records (did you mean "status"?)`},
		{record.Expense, "status = paid and amuont > 5", 19, 6, `did you mean "amount"?`},
		{record.Expense, "items.amont = 5", 1, 11, `did you mean "items.amount"?`},
		{record.Expense, "amount > abc", 10, 3, `comparing amount of money field "amount" to text "abc": write a number`},
		{record.Expense, "amount > 2026-01-01", 10, 10, `comparing amount of money field "amount" to a date`},
		{record.Expense, "amount contains 5", 8, 8, "contains needs text or a list"},
		{record.Expense, "receipt_required > true", 18, 1, "can be tested with = or != only"},
		{record.Expense, "receipt_required = yes", 20, 3, "write true or false"},
		{record.Expense, "status paid", 8, 4, `expected an operator after status`},
		{record.Expense, "status =", 9, 1, "expected a value after =, found the end of the expression"},
		{record.Expense, "status = paid and", 18, 1, "expected a condition, found the end"},
		{record.Expense, "status = and", 10, 3, "found the keyword and"},
		{record.Expense, "'paid' = status", 1, 6, "expected a field name, found the quoted value"},
		{record.Expense, "= paid", 1, 1, "expected a field name before ="},
		{record.Expense, "amount > 1,000", 11, 1, "unexpected comma"},
		{record.Expense, "status in paid", 11, 4, "in needs a list in parentheses"},
		{record.Expense, "status in ()", 12, 1, "empty list"},
		{record.Expense, "status = 'paid", 10, 1, "unclosed quote"},
		{record.Expense, "status = (paid)", 10, 1, "a list of values follows in"},
		{record.Expense, "status = paid amount = 3", 15, 6, `expected and, or, or the end of the expression, found "amount"`},
		{record.Expense, "items > 3", 7, 1, "items is a list of groups of fields: compare one of their fields (items.amount, items.description, items.receipt)"},
		{record.Complaint, "resolution = x", 12, 1, "resolution is a group of fields: compare one of them (resolution.resolved_at, resolution.solution)"},
		{record.Complaint, "response_time > 3", 17, 1, `comparing duration field "response_time" to a number "3": write a duration like 48h`},
		{record.Complaint, "received_at > 2026-03-01T09:00", 15, 16, "not an instant: write RFC 3339 with an offset"},
		{record.Complaint, "received_at > yesterday", 15, 9, `comparing instant field "received_at" to text`},
		// Chinese text counts one column per character, two for the caret
		{record.Expense, "title = 印刷 and foo = 1", 16, 3, `unknown field "foo"`},
		{record.Complaint, "solution = x", 1, 8, `did you mean "resolution.solution"?`},
	}
	for _, c := range cases {
		_, err := Parse(c.expr, fieldsOf(t, c.kind))
		var qe *Error
		if !errors.As(err, &qe) {
			t.Errorf("%q: want an *Error, got %v", c.expr, err)
			continue
		}
		if qe.Column() != c.col || qe.End-qe.Pos != c.span && c.span != 1 || !strings.Contains(qe.Msg, c.msg) {
			t.Errorf("%q: got column %d span %d %q; want column %d span %d containing %q", c.expr, qe.Column(), qe.End-qe.Pos, qe.Msg, c.col, c.span, c.msg)
		}
	}
}

func TestCaretUnderChineseText(t *testing.T) {
	_, err := Parse("title = 印刷 and foo = 1", fieldsOf(t, record.Expense))
	var qe *Error
	if !errors.As(err, &qe) {
		t.Fatal(err)
	}
	want := "  title = 印刷 and foo = 1\n" +
		"                   ^^^"
	if got := qe.Caret("  "); got != want {
		t.Errorf("caret:\n%s\nwant:\n%s", got, want)
	}
}

func TestDurations(t *testing.T) {
	cases := map[string]time.Duration{
		"48h": 48 * time.Hour, "3d": 72 * time.Hour, "90m": 90 * time.Minute, "1w": 168 * time.Hour,
		"1d12h": 36 * time.Hour, "1.5h": 90 * time.Minute, "1.1h": 66 * time.Minute, "26h30m0s": 26*time.Hour + 30*time.Minute,
	}
	for s, want := range cases {
		if got, ok := parseDuration(s); !ok || got != want {
			t.Errorf("%s = %v, %v; want %v", s, got, ok, want)
		}
	}
	for _, s := range []string{"h", "3", "3y", "-3h", "3h-", "1e3h"} {
		if _, ok := parseDuration(s); ok {
			t.Errorf("%s accepted as a duration", s)
		}
	}
}

func TestSortAbsentLastAndColumns(t *testing.T) {
	rows := expenses(t)
	f := fieldsOf(t, record.Expense)
	got := func(spec string) string {
		o, err := ParseSort(spec, f)
		if err != nil {
			t.Fatalf("ParseSort(%q): %v", spec, err)
		}
		rs := append([]*Row(nil), rows...)
		o.Sort(rs)
		var out []string
		for _, r := range rs {
			out = append(out, r.Record.ID)
		}
		return strings.Join(out, " ")
	}
	cases := map[string]string{
		"amount":            "EXP-2026-0001 EXP-2026-0002 EXP-2025-0009",
		"-amount":           "EXP-2025-0009 EXP-2026-0002 EXP-2026-0001",
		"date":              "EXP-2025-0009 EXP-2026-0002 EXP-2026-0001",
		"claimant,-date":    "EXP-2026-0001 EXP-2025-0009 EXP-2026-0002",
		"claimant, +date":   "EXP-2025-0009 EXP-2026-0001 EXP-2026-0002",
		"project":           "EXP-2026-0002 EXP-2026-0001 EXP-2025-0009",
		"-project":          "EXP-2026-0002 EXP-2026-0001 EXP-2025-0009",
		"-items_sum,-month": "EXP-2026-0001 EXP-2026-0002 EXP-2025-0009",
	}
	for spec, want := range cases {
		if g := got(spec); g != want {
			t.Errorf("--sort %s: got %s, want %s", spec, g, want)
		}
	}
	_, err := ParseSort("date,-amont", f)
	var qe *Error
	if !errors.As(err, &qe) || qe.Column() != 7 || !strings.Contains(qe.Msg, `did you mean "amount"`) {
		t.Errorf("bad sort key: %v", err)
	}
	_, err = ParseColumns("id,,title", f)
	if !errors.As(err, &qe) || qe.Column() != 4 {
		t.Errorf("empty column: %v", err)
	}
	cols, err := ParseColumns("id, amount ,items_sum,items.0.description", f)
	if err != nil || len(cols) != 4 || !cols[1].Numeric() || !cols[2].IsDerived() || cols[3].Type != Text {
		t.Fatalf("columns: %+v %v", cols, err)
	}
	if v, ok := rows[0].Value(cols[3]); !ok || v != "高鐵票" {
		t.Errorf("items.0.description = %v", v)
	}
}

func TestRedact(t *testing.T) {
	cus := parseRecord(t, "records/customers/CUS-0001.yaml", `kind: customer
id: CUS-0001
name: 青禾
classification: internal
contact:
  name: 陳經理
  phone: "+86 571"
visits:
  - {date: 2026-04-20, by: li.wei, note: ok}
`)
	secret := parseRecord(t, "records/customers/CUS-0002.yaml", "kind: customer\nid: CUS-0002\nname: S\nclassification: confidential\n")
	data, visible := Redact(cus, nil)
	if !visible {
		t.Fatal("internal customer hidden")
	}
	c, _ := data.Get("contact")
	contact := record.Plain(c).(map[string]any)
	if name, _ := data.Get("name"); contact["name"] != Redacted || contact["phone"] != Redacted || name != "青禾" {
		t.Errorf("redacted: %v", data)
	}
	if cus.Str("contact.name") != "陳經理" {
		t.Error("Redact changed the record")
	}
	if _, visible := Redact(secret, nil); visible {
		t.Error("confidential customer visible")
	}
	rows := NewRows(context(cus, secret), []*record.Record{cus, secret}, true)
	if len(rows) != 1 {
		t.Fatalf("rows: %d", len(rows))
	}
	// A filter sees only what may be shown.
	if got := ids(t, record.Customer, rows, "contact.name = 陳經理"); got != "" {
		t.Errorf("filter reached a redacted value: %s", got)
	}
	if got := ids(t, record.Customer, rows, "title = 青禾 and name = 青禾"); got != "CUS-0001" {
		t.Errorf("title of a customer is its name: %s", got)
	}
	if got := ids(t, record.Customer, rows, "last_visit = 2026-04-20"); got != "CUS-0001" {
		t.Errorf("last_visit: %s", got)
	}
	set := RedactSet(record.NewSet([]*record.Record{cus, secret}), nil)
	if len(set.Records) != 1 || set.Get("CUS-0002") != nil || set.Get("CUS-0001").Str("contact.phone") != Redacted || set.Get("CUS-0001").Root != nil {
		t.Errorf("RedactSet: %+v", set.Records)
	}
}

func TestObserveUndeclaredFields(t *testing.T) {
	r := parseRecord(t, "records/expenses/2026/EXP-2026-0003.yaml", "kind: expense\nid: EXP-2026-0003\nvendor: ACME\n")
	f := fieldsOf(t, record.Expense)
	if _, err := f.Resolve("vendor"); err == nil {
		t.Fatal("vendor known before observing")
	}
	f.Observe([]*record.Record{r})
	rows := NewRows(context(r), []*record.Record{r}, false)
	q, err := Parse("vendor = ACME", f)
	if err != nil || len(q.Filter(rows)) != 1 {
		t.Fatalf("observed field: %v", err)
	}
}

func TestNumberNeverMatchesText(t *testing.T) {
	a := strings.Replace(complaintA, "satisfaction: 4", "satisfaction: unreachable", 1)
	recs := []*record.Record{parseRecord(t, "records/complaints/2026/CMP-2026-0001.yaml", a)}
	rows := NewRows(context(recs...), recs, false)
	for expr, want := range map[string]string{"satisfaction >= 4": "", "satisfaction > 100": "", "satisfaction = 4": "", "satisfaction = unreachable": "CMP-2026-0001"} {
		if got := ids(t, record.Complaint, rows, expr); got != want {
			t.Errorf("%s: got %q, want %q", expr, got, want)
		}
	}
}
