package query

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/money"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/rules"
)

// Detail is what `opsbook show` tells about one record: its fields, what is
// derived from them, the records it names and that name it, and what
// validate finds in its file. The JSON shape is stable; sections that do not
// apply to the record's kind are left out.
type Detail struct {
	Kind           string     `json:"kind"`
	ID             string     `json:"id"`
	Path           string     `json:"path"`
	Title          string     `json:"title"`
	Status         string     `json:"status,omitempty"`
	Classification string     `json:"classification"`
	Fields         record.Map `json:"fields"`

	SLA       *SLADetail       `json:"sla,omitempty"`
	Appraisal *AppraisalDetail `json:"appraisal,omitempty"`
	Expense   *ExpenseDetail   `json:"expense,omitempty"`

	RefsOut  []Reference       `json:"references_out"`
	RefsIn   []Reference       `json:"references_in"`
	Findings []diag.Diagnostic `json:"findings"`

	// History holds the record's last moves from git, newest first. It is
	// filled in by the caller when a history source is available and is
	// left out otherwise; Describe never invents it.
	History []HistoryEntry `json:"history,omitempty"`

	rec *record.Record
}

// HistoryEntry is one commit in a record's life, as the audit trail reads it.
type HistoryEntry struct {
	Commit string   `json:"commit"`
	At     string   `json:"at"`               // RFC 3339
	Actor  string   `json:"actor"`            // the person's handle, or the author's email
	Action string   `json:"action"`           // create, submit, approve, edit, ...
	From   string   `json:"from,omitempty"`   // state before the move
	To     string   `json:"to,omitempty"`     // state after it
	Fields []string `json:"fields,omitempty"` // fields the commit changed
}

// SLADetail is a complaint's clocks against the SLA of its severity.
type SLADetail struct {
	Severity string      `json:"severity"`
	Respond  ClockDetail `json:"respond"`
	Resolve  ClockDetail `json:"resolve"`
	Breach   bool        `json:"breach"`
}

// ClockDetail is one SLA clock. Durations are Go duration text ("10h0m0s").
type ClockDetail struct {
	Limit   string `json:"limit"`
	Due     string `json:"due"` // received_at + limit
	Elapsed string `json:"elapsed"`
	Running bool   `json:"running"` // not answered (or resolved) yet: elapsed so far
	Breach  bool   `json:"breach"`

	limit, elapsed time.Duration
}

// AppraisalDetail is an appraisal's arithmetic, computed from its indicators.
type AppraisalDetail struct {
	Weights        string `json:"weights"`
	ComputedTotal  string `json:"computed_total"`
	ComputedRating string `json:"computed_rating"`
	Total          string `json:"total,omitempty"`  // as written
	Rating         string `json:"rating,omitempty"` // as written
	BelowStandard  bool   `json:"below_standard"`
}

// ExpenseDetail is an expense's items, receipts and the budget it draws on.
type ExpenseDetail struct {
	Amount          money.Amount  `json:"amount"`
	Items           int           `json:"items"`
	ItemsSum        *money.Amount `json:"items_sum,omitempty"`
	ItemsMatch      bool          `json:"items_match"`
	Receipts        string        `json:"receipts"` // see ReceiptStatus
	ReceiptRequired bool          `json:"receipt_required"`
	// Counted tells whether the claim's state (approved, paid) spends budget.
	Counted bool        `json:"counts_against_budget"`
	Budget  []BudgetUse `json:"budget"`
}

// BudgetUse is how much of a budget line (the claim's category, and its
// project line where one exists) the year's approved and paid claims use.
type BudgetUse struct {
	Year      string       `json:"year"`
	Category  string       `json:"category"`
	Project   string       `json:"project,omitempty"`
	Budgeted  bool         `json:"budgeted"` // an approved or closed budget has the line
	Budget    money.Amount `json:"budget"`
	Used      money.Amount `json:"used"`
	Remaining money.Amount `json:"remaining"`
	Over      bool         `json:"over_budget"`
}

// Reference is a link between two records. In RefsOut, Field is the path in
// the shown record and Kind the kind of the record named; in RefsIn, Field
// is the path in the other record, and Kind and ID are that record's.
type Reference struct {
	Field   string `json:"field"`
	ID      string `json:"id"`
	Kind    string `json:"kind"`
	Title   string `json:"title,omitempty"`
	Missing bool   `json:"missing,omitempty"`
}

// Describe gathers what show tells about rec. Findings are validate's
// diagnostics for its file. With redact, confidential fields are replaced
// (see Redact), records named by it that are confidential show no title, and
// confidential records that name it are left out; the caller refuses a
// confidential record itself.
func Describe(c *rules.Context, rec *record.Record, findings []diag.Diagnostic, redact bool) *Detail {
	d := &Detail{
		Kind: string(rec.Kind), ID: rec.ID, Path: rec.Path, Title: rec.Title(), Status: rec.Status(),
		Classification: Classification(rec, c.Policy), Fields: rec.Data, Findings: findings, rec: rec,
	}
	if redact {
		d.Fields, _ = Redact(rec, c.Policy)
		if d.Fields == nil {
			d.Fields = record.Map{}
		}
	}
	if d.Findings == nil {
		d.Findings = []diag.Diagnostic{}
	}
	switch rec.Kind {
	case record.Complaint:
		d.SLA = slaDetail(c, rec)
	case record.Appraisal:
		d.Appraisal = appraisalDetail(c, rec)
	case record.Expense:
		d.Expense = expenseDetail(c, rec)
	}
	d.RefsOut, d.RefsIn = references(c.Set, c.Policy, rec, redact)
	return d
}

func slaDetail(c *rules.Context, rec *record.Record) *SLADetail {
	respond, resolve, ok := c.Clocks(rec)
	if !ok {
		return nil
	}
	recv, _ := time.Parse(time.RFC3339, rec.Str("received_at"))
	clock := func(cl rules.Clock, breach bool) ClockDetail {
		return ClockDetail{
			Limit: cl.Limit.String(), Due: recv.Add(cl.Limit).Format(time.RFC3339), Elapsed: cl.Elapsed.String(),
			Running: cl.Running, Breach: breach, limit: cl.Limit, elapsed: cl.Elapsed,
		}
	}
	s := &SLADetail{Severity: rec.Str("severity"), Respond: clock(respond, respond.Breach), Resolve: clock(resolve, resolutionBreach(rec, resolve))}
	if rec.Status() == "closed" && resolve.Running {
		// Closed without a resolution instant: the clock no longer runs.
		s.Resolve.Running = false
	}
	s.Breach = s.Respond.Breach || s.Resolve.Breach
	return s
}

// LimitHours and ElapsedHours render a clock for people ("4.0h").
func (c ClockDetail) LimitHours() string   { return rules.Hours(c.limit) }
func (c ClockDetail) ElapsedHours() string { return rules.Hours(c.elapsed) }

func appraisalDetail(c *rules.Context, rec *record.Record) *AppraisalDetail {
	s := rules.AppraisalScore(rec, c.Policy)
	return &AppraisalDetail{
		Weights: s.Weights.String(), ComputedTotal: s.Total.String(), ComputedRating: s.Rating,
		Total: rec.Str("total"), Rating: rec.Str("rating"), BelowStandard: rules.BelowStandard(s.Rating),
	}
}

func expenseDetail(c *rules.Context, rec *record.Record) *ExpenseDetail {
	amount, _ := rec.Money("amount")
	e := &ExpenseDetail{Amount: amount, Receipts: ReceiptStatus(rec), ItemsMatch: true,
		ReceiptRequired: amount.GreaterThan(c.Policy.ReceiptRequiredAbove), Counted: rules.ExpenseCounts(rec.Status()),
		Budget: []BudgetUse{}}
	if sum, n := itemsSum(rec); n > 0 {
		e.Items, e.ItemsSum, e.ItemsMatch = n, &sum, sum.Equal(amount)
	}
	date, ok := dateOf(rec.Str("date"))
	cat := rec.Str("category")
	if !ok || !rules.Budgeted(rec, c.Policy.ExpenseCategories) {
		return e
	}
	budgets := rules.Budgets(c.Set)
	spent := rules.Spent(c.Set, budgets, c.Policy.ExpenseCategories)
	keys := []rules.BudgetKey{{Year: date[:4], Category: cat}}
	if p := rec.Str("project"); p != "" {
		if _, has := budgets[rules.BudgetKey{Year: date[:4], Category: cat, Project: p}]; has {
			keys = append(keys, rules.BudgetKey{Year: date[:4], Category: cat, Project: p})
		}
	}
	for _, k := range keys {
		b, has := budgets[k]
		used := spent[k]
		e.Budget = append(e.Budget, BudgetUse{Year: k.Year, Category: k.Category, Project: k.Project, Budgeted: has,
			Budget: b, Used: used, Remaining: b.Sub(used), Over: used.GreaterThan(b)})
	}
	return e
}

// references lists the records rec names (through rules.Refs) and the
// records that name it.
func references(set *record.Set, p *config.Policy, rec *record.Record, redact bool) (out, in []Reference) {
	out, in = []Reference{}, []Reference{}
	title := func(r *record.Record) string {
		if redact && Confidential(r, p) {
			return Redacted
		}
		return r.Title()
	}
	// With redact, references are read from what --redact shows: a
	// redacted field (a training's evaluation.by) names nobody, here or
	// in the records that name this one.
	data := func(r *record.Record) record.Map {
		if !redact {
			return r.Data
		}
		d, _ := Redact(r, p)
		return d
	}
	recData := data(rec)
	for _, ref := range rules.Refs {
		if ref.Kind != rec.Kind {
			continue
		}
		for _, p := range sortedPaths(rules.Expand(recData, ref.Path)) {
			id := record.Text(mustLookup(recData, p))
			if redact && id == Redacted {
				continue
			}
			want := ref.TargetOf(id)
			r := Reference{Field: p, ID: id, Kind: string(want)}
			if t := set.Get(id); t != nil && want != rules.Any && t.Kind == want {
				r.Title = title(t)
			} else {
				r.Missing = true
			}
			out = append(out, r)
		}
	}
	if rec.ID == "" {
		return out, in
	}
	for _, other := range set.Records {
		if other == rec || (redact && Confidential(other, p)) {
			continue
		}
		for _, ref := range rules.Refs {
			if ref.Kind != other.Kind || !ref.Names(rec.Kind) {
				continue
			}
			found := rules.Expand(data(other), ref.Path)
			for _, p := range sortedPaths(found) {
				if found[p] == rec.ID {
					in = append(in, Reference{Field: p, ID: other.ID, Kind: string(other.Kind), Title: title(other)})
				}
			}
		}
	}
	return out, in
}

func sortedPaths(m map[string]string) []string {
	ps := make([]string, 0, len(m))
	for p := range m {
		ps = append(ps, p)
	}
	// Numeric parts in numeric order: team.2 before team.10.
	sort.Slice(ps, func(i, j int) bool { return pathLess(ps[i], ps[j]) })
	return ps
}

func pathLess(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		if pa[i] == pb[i] {
			continue
		}
		x, e1 := strconv.Atoi(pa[i])
		y, e2 := strconv.Atoi(pb[i])
		if e1 == nil && e2 == nil {
			return x < y
		}
		return pa[i] < pb[i]
	}
	return len(pa) < len(pb)
}

func mustLookup(data record.Map, path string) any {
	v, _ := record.Lookup(data, path)
	return v
}

// FieldLine is one field of a record as show lists it: a dotted path and
// its value as text.
type FieldLine struct {
	Path  string
	Value string
}

// Lines lists the record's fields (as redacted, when asked) in the order of
// its file, nested fields by dotted path ("items.0.amount"), lists of plain
// values on one line. The envelope (kind, id, title or name, status) is left
// out: show prints it above.
func (d *Detail) Lines() []FieldLine {
	var out []FieldLine
	var walk func(v any, prefix string)
	walk = func(v any, prefix string) {
		switch t := v.(type) {
		case record.Map:
			for _, f := range t {
				walk(f.Value, join(prefix, f.Key))
			}
		case []any:
			if plainList(t) {
				parts := make([]string, len(t))
				for i, x := range t {
					parts[i], _ = textOf(x)
				}
				// joined as the reader's language lists (、 in Chinese)
				out = append(out, FieldLine{prefix, strings.Join(parts, i18n.T(", "))})
				return
			}
			for i, x := range t {
				walk(x, join(prefix, strconv.Itoa(i)))
			}
		default:
			s, _ := textOf(t)
			out = append(out, FieldLine{prefix, s})
		}
	}
	skip := map[string]bool{"kind": true, "id": true, "status": true, record.Info(d.rec.Kind).TitleField: true}
	top := make(record.Map, 0, len(d.Fields))
	for _, f := range d.Fields {
		if !skip[f.Key] {
			top = append(top, f)
		}
	}
	walk(top, "")
	return out
}

func plainList(l []any) bool {
	for _, x := range l {
		if _, ok := textOf(x); !ok {
			return false
		}
	}
	return true
}
