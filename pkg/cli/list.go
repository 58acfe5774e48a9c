package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/internal/cells"
	"github.com/opsbook/opsbook/pkg/money"
	"github.com/opsbook/opsbook/pkg/par"
	"github.com/opsbook/opsbook/pkg/query"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/opsbook/opsbook/pkg/rules"
	"github.com/spf13/cobra"
)

type listOpts struct {
	*global
	kind    string
	where   string
	sort    string
	columns string
	limit   int
	redact  bool
	wide    bool
	// twice: the ids that more than one file of the kind states, each
	// with its files (warnListedTwice).
	twice map[string][]*record.Record
}

// defaultColumns are what list shows of each kind without --columns: the
// id, the state, what tells records apart at a glance, and the title last
// (it is the widest).
var defaultColumns = map[record.Kind]string{
	record.Person:    "id,role,group,reports_to,active,name",
	record.Customer:  "id,segment,since,last_visit,name",
	record.Project:   "id,status,owner,planned.start,planned.end,title",
	record.Plan:      "id,status,project,author,revision,title",
	record.Complaint: "id,status,severity,category,assignee,received_at,sla_breach,title",
	record.Appraisal: "id,status,employee,appraiser,period,computed_total,computed_rating,title",
	record.Budget:    "id,status,year,total,title",
	record.Expense:   "id,status,date,claimant,category,amount,title",

	record.TrainingPlan: "id,status,year,courses_planned,planned_hours,planned_budget,title",
	record.Training:     "id,status,date,topic,delivery,organiser,attended,average_rating,title",
	record.Violation:    "id,status,reported_on,person,severity,decision.sanction,title",
	record.Meeting:      "id,status,type,date,chair,open_actions,overdue_actions,title",
	record.Task:         "id,status,assigned_by,assignee,due,done,on_time,title",
	record.StatusReport: "id,status,author,to,period,snapshot.overdue_work,title",
	record.OpsPlan:      "id,status,year,title",
	record.Analysis:     "id,status,author,period,title",
}

// narrowColumns are the default columns a kind's table keeps on a terminal
// too narrow for the whole table, by the rule a report's tables follow
// (render.Table.NarrowedFor): an id, a state, a date or a handle cut to
// "2026-1…" tells nothing, so columns are left out rather than cut, and
// stderr says so. Each is a subset of the kind's defaultColumns, in order.
// Every kind whose default columns do not fit 80 has them; customers,
// budgets, operations plans and analyses fit as they are.
var narrowColumns = map[record.Kind]string{
	record.Project:   "id,status,owner,title",
	record.Plan:      "id,status,project,title",
	record.Complaint: "id,status,severity,assignee,title",
	record.Appraisal: "id,status,employee,computed_rating,title",
	record.Expense:   "id,status,claimant,amount,title",

	record.Person:       "id,role,reports_to,name",
	record.TrainingPlan: "id,status,year,planned_budget,title",
	record.Training:     "id,status,date,organiser,title",
	record.Violation:    "id,status,person,severity,title",
	record.Meeting:      "id,status,date,chair,title",
	record.Task:         "id,status,assignee,due,title",
	record.StatusReport: "id,status,author,period,title",
}

// narrowestColumns are the fewer columns kept where the narrow ones would
// not fit whole either (60 columns, English states such as
// "investigating"): the id, the state and what a row is about.
var narrowestColumns = map[record.Kind]string{
	record.Complaint:    "id,status,assignee,title",
	record.Appraisal:    "id,status,employee,title",
	record.Person:       "id,role,name",
	record.Training:     "id,status,date,title",
	record.Violation:    "id,status,person,title",
	record.Meeting:      "id,status,date,title",
	record.Task:         "id,status,due,title",
	record.StatusReport: "id,status,author,title",
}

// narrowIndexes are the positions in defaultColumns of the kind's
// narrowColumns (render.Table.Narrow), nil for a kind without them.
func narrowIndexes(kind record.Kind) []int {
	return columnIndexes(kind, narrowColumns)
}

// columnIndexes are the positions in defaultColumns of the kind's columns
// in sets, nil for a kind without them.
func columnIndexes(kind record.Kind, sets map[record.Kind]string) []int {
	spec, ok := sets[kind]
	if !ok {
		return nil
	}
	all := strings.Split(defaultColumns[kind], ",")
	var out []int
	for _, name := range strings.Split(spec, ",") {
		if i := slices.Index(all, name); i >= 0 {
			out = append(out, i)
		}
	}
	return out
}

// listLong and listLongTail are the longer help of list, keyed in the help
// catalog; the derived fields are listed between them.
const (
	listLong = `List shows the records of one kind (singular or plural: expense, expenses),
one per row. Without --where it lists them all.

--where EXPR keeps the records the expression holds for. A condition is
FIELD OP VALUE; fields are dotted paths into the record (status,
resolution.resolved_at, items.0.amount; items.amount is any item's amount) or
derived fields (below). Operators:

  =  !=  <  <=  >  >=    compare text, exact decimals (0.3 = 0.30), dates
                         (YYYY-MM-DD), instants (RFC 3339) and durations
                         (48h, 3d, 90m, 1w, 1d12h)
  in (A, B, ...)         equal to one of the values; also: not in
  contains V             has the element V (lists) or the text V (text,
                         ignoring case); also: not contains
  ~  !~                  matches the regular expression (RE2; (?i) ignores case)
  FIELD                  alone: present, and true for true/false fields

joined by and, or, not and parentheses (not binds tightest, then and, then
or). Values need no quotes unless they hold spaces, commas, parentheses or
operator characters ('Printing flyers', '^(a|b)'). An instant compared with a
date is compared by its day. A field a record lacks matches no condition,
negated or not: use "not FIELD" to find records without it.

Derived fields:
`
	listLongTail = `
--sort FIELD[,-FIELD] sorts (- for descending; records without the field
last). --columns picks the columns (also for -o json and yaml, which then hold
kind, id, path and those fields; without --columns they hold every field of
the record plus kind, id and path). --limit N keeps the first N.

--redact, for output that leaves the department, leaves out confidential
records (marked classification: confidential, or confidential by their
kind's default in the policy) and says how many, and shows "[redacted]" for
confidential fields (customer and complaint contact details, a training's
evaluation, an appraisal's outcome and measures); conditions see only what
is shown.

Output (-o): text (a table on a terminal, tab-separated when piped), json,
yaml, csv, markdown.`
)

func newListCmd(g *global) *cobra.Command {
	o := &listOpts{global: g}
	cmd := &cobra.Command{
		Use:         "list <kind> [--where EXPR] [--sort FIELD[,-FIELD]] [--columns FIELD,...] [--limit N]",
		Short:       i18n.T("List the records of a kind, filtered and sorted"),
		Annotations: map[string]string{longLater: "list"},
		Example: `  opsbook list expenses
  opsbook list expense --where 'status in (submitted, approved) and amount > 1000 and date >= 2026-03-01'
  opsbook list complaints --where 'sla_breach and severity in (high, critical)' --sort -received_at
  opsbook list complaint --where 'response_time > 4h' --columns id,severity,response_time,title
  opsbook list appraisals --where 'computed_rating in (below, unsatisfactory)'
  opsbook list expense --where "title ~ '(?i)taxi|出租'" --sort -amount --limit 5 -o json
  opsbook list customers --redact -o csv`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr("list needs one kind: %s (see `opsbook list --help`)", kindNames())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.kind = args[0]
			if o.limit < 0 {
				return usageErr("--limit %d: give a positive number (0 for no limit)", o.limit)
			}
			return runList(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.where, "where", "w", "", i18n.T("keep the records `EXPR` holds for (see above)"))
	f.StringVarP(&o.sort, "sort", "s", "", i18n.T("sort by `FIELD[,-FIELD]` (- for descending)"))
	f.StringVarP(&o.columns, "columns", "c", "", i18n.T("show the fields `FIELD,...` (default: per kind)"))
	f.IntVarP(&o.limit, "limit", "n", 0, i18n.T("show at most `N` records (0: all)"))
	addRedactFlag(cmd, &o.redact)
	f.BoolVar(&o.wide, "wide", false, i18n.T(wideHelp))
	return cmd
}

// narrowTerminal is the width of the terminal a table for people is drawn
// on when a command may leave columns out to fit it (text on a terminal of
// known width, no -o); 0 otherwise. list, report and summary keep a
// table's Narrow columns when the whole table would not fit there
// (render.Table.NarrowedFor, one rule for all three). --wide keeps every
// column.
func (g *global) narrowTerminal() int {
	if !g.io.OutTTY || g.output != "" {
		return 0
	}
	return g.io.Width
}

// wideHelp is the help of --wide (list and report), which keeps every
// column on a narrow terminal.
const wideHelp = "show every column, even on a narrow terminal (text columns are then cut)"

func kindNames() i18n.Joined {
	var names []string
	for _, ki := range record.Kinds {
		names = append(names, string(ki.Kind))
	}
	return i18n.Commas(names) // person、customer in Chinese
}

func derivedHelp() string {
	short := map[query.Type]string{query.Duration: "duration", query.Bool: "bool", query.Number: "number",
		query.Money: "money", query.Date: "date", query.Text: "text"}
	var b strings.Builder
	for _, ki := range record.Kinds {
		for _, d := range query.DerivedFields(ki.Kind) {
			line := fmt.Sprintf("  %-10s %-18s %-9s ", ki.Kind, d.Name, short[d.Type])
			doc, key := d.Doc, string(ki.Kind)+"."+d.Name
			if zh := i18n.Term("derived", key); zh != key {
				// Chinese has no spaces to wrap at: a long line goes on
				// under the description's column, within 80 columns.
				doc = wrapCells(zh, 80-cells.Width(line), strings.Repeat(" ", cells.Width(line)))
			}
			b.WriteString(line + doc + "\n")
		}
	}
	return b.String()
}

// wrapCells breaks text into lines of at most width display columns (a CJK
// character takes two), indenting each line after the first. It breaks
// after a full-width comma or closing mark or before an opening one when one
// is in the line's second half, else at a space there, else between two CJK
// characters; never inside a run of ASCII (an identifier such as
// received_at).
func wrapCells(text string, width int, indent string) string {
	width = max(width, 20)
	var lines []string
	for cells.Width(text) > width {
		mark, space, weak, over, w := 0, 0, 0, 0, 0
		var prev rune
		for i, r := range text {
			if i > 0 {
				isMark := r == '（' || strings.ContainsRune("，、；：。）", prev)
				isWeak := isMark || r == ' ' || prev >= 0x2E80 && r >= 0x2E80 && prev != '（' && !strings.ContainsRune("，、；：。）", r)
				switch {
				case w > width:
					if isWeak && over == 0 {
						over = i // the first break past the width
					}
				case isMark && w >= width/2:
					mark = i
				case r == ' ' && w >= width/2:
					space = i
				case isWeak:
					weak = i
				}
			}
			if w > width && over != 0 {
				break
			}
			w += cells.RuneWidth(r)
			prev = r
		}
		cut := mark
		if cut == 0 {
			cut = space
		}
		if cut == 0 {
			cut = weak
		}
		if cut == 0 {
			cut = over // one run wider than the line: it overflows
		}
		if cut == 0 {
			break
		}
		lines = append(lines, strings.TrimRight(text[:cut], " "))
		text = strings.TrimLeft(text[cut:], " ")
	}
	return strings.Join(append(lines, text), "\n"+indent)
}

func runList(ctx context.Context, o *listOpts) error {
	format, err := o.format(render.Text, render.JSON, render.YAML, render.CSV, render.Markdown)
	if err != nil {
		return err
	}
	kind, err := record.ParseKind(o.kind)
	if err != nil {
		return usage(err)
	}
	fields, err := query.FieldsOf(kind)
	if err != nil {
		return err
	}
	spec := o.columns
	if spec == "" {
		spec = defaultColumns[kind]
	}
	var q *query.Query
	var order query.Order
	var cols []query.Field
	parse := func() error {
		var err error
		if q, err = query.Parse(o.where, fields); err != nil {
			return queryErr("--where", err)
		}
		if o.sort != "" {
			if order, err = query.ParseSort(o.sort, fields); err != nil {
				return queryErr("--sort", err)
			}
		}
		if cols, err = query.ParseColumns(spec, fields); err != nil {
			return queryErr("--columns", err)
		}
		return nil
	}
	parsed := parse() == nil
	now, err := o.clock()
	if err != nil {
		return err
	}
	var rows []*query.Row
	var matched, total int
	indexed := false
	if parsed && !o.noCache && !o.redact {
		rows, matched, total, indexed, err = o.listIndexed(ctx, kind, now, q, order, cols)
		if err != nil {
			return err
		}
	}
	if !indexed {
		// Neither the derived fields nor the columns read other records.
		o.quietTwice = true // the rows shown say it (warnListedTwice)
		_, r, err := o.loadKinds(ctx, kind)
		if err != nil {
			return err
		}
		o.twice = sharedIDs(r.Set)
		recs := r.Set.OfKind(kind)
		// The schema's fields answer nearly every query; the records are
		// walked for fields it does not declare only when one is asked for.
		if !parsed {
			fields.Observe(recs)
			if err := parse(); err != nil {
				return err
			}
		}
		rc := &rules.Context{Set: r.Set, Policy: r.Policy, Root: r.Root, Now: now}
		all := query.NewRows(rc, o.revealAll(recs, o.redact), o.redact)
		if n := len(recs) - len(all); o.redact && n > 0 {
			fmt.Fprintln(o.io.Err, i18n.Plural(n, "redacted: %d confidential record left out", "redacted: %d confidential records left out", n))
		}
		rows = q.Filter(all)
		order.Sort(rows)
		matched, total = len(rows), len(recs)
		if o.limit > 0 && len(rows) > o.limit {
			rows = rows[:o.limit]
		}
	}
	o.warnListedTwice(rows)

	switch format {
	case render.JSON, render.YAML:
		objs := make([]any, 0, len(rows))
		for _, row := range rows {
			if o.columns == "" {
				objs = append(objs, fields.ExactMoney(row.Object()))
				continue
			}
			obj := map[string]any{"kind": string(row.Record.Kind), "id": row.Record.ID, "path": row.Record.Path}
			for _, c := range cols {
				if v, ok := row.Value(c); ok {
					obj[c.Name] = query.ExactValue(c, v)
				}
			}
			objs = append(objs, obj)
		}
		if format == render.JSON {
			return render.WriteJSON(o.io.Out, objs)
		}
		return render.WriteYAML(o.io.Out, objs)
	}

	tty := o.io.OutTTY && format == render.Text
	// Text and Markdown are for people: headers and words such as states in
	// the reader's language. CSV keeps field keys and values as the files
	// spell them, like -o json.
	human := format == render.Text || format == render.Markdown
	t := &render.Table{Right: map[int]bool{}}
	for i, c := range cols {
		h := c.Name
		switch {
		case human && i18n.IsChinese():
			// a dotted column in words, each key as its field (evaluation.by:
			// 成效評估·記錄人); a kind may have its own word for a key (a
			// customer's name is a company's 名稱, a person's 姓名)
			h = i18n.Field(c.Name).String()
			if q := string(kind) + "." + c.Name; i18n.Term("field", q) != q {
				h = i18n.Term("field", q)
			}
		case format == render.Text:
			h = strings.ToUpper(h)
		}
		t.Headers = append(t.Headers, h)
		if c.Numeric() {
			t.Right[i] = true
		}
	}
	// the last column (the title or name, the widest text) gives way
	// before an id, a state, a date or a handle is cut
	if n := len(cols); n > 1 && (cols[n-1].Name == "title" || cols[n-1].Name == "name") {
		t.Give = map[int]bool{n - 1: true}
	}
	cells := make([][]string, len(rows))
	groups := make([]string, len(cols)) // each column's terms, found once
	for i, c := range cols {
		groups[i] = termGroup(c.Name)
	}
	par.For(len(rows), 2048, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			cells[r] = make([]string, len(cols))
			for i, c := range cols {
				cells[r][i] = cell(rows[r], c, groups[i], tty, human)
			}
		}
	})
	for _, c := range cells {
		t.Add(c...)
	}
	narrow := false
	if w := o.narrowTerminal(); w > 0 && !o.wide && o.columns == "" {
		// a narrow terminal gets the fewer columns it can show whole
		t.Narrow = narrowIndexes(kind)
		t.Narrowest = columnIndexes(kind, narrowestColumns)
		t, narrow = t.NarrowedFor(w)
	}
	if err := writeTabular(o.global, format, t, nil); err != nil {
		return err
	}
	if tty {
		what := kindCount(kind, matched)
		if matched != total {
			what = i18n.Sprintf("%d of %s", matched, kindCount(kind, total))
		}
		if narrow {
			what += i18n.Sprintf(msgListNarrow, o.io.Width)
		}
		if len(rows) < matched {
			what += i18n.Sprintf(", %d shown", len(rows))
		}
		fmt.Fprintln(o.io.Err, render.WrapLines(what, o.io.Width))
	}
	return nil
}

// kindCount is "12 expenses" (in Chinese "12 筆報銷單"); a kind of two
// words is written as two, as summary writes it: "1 status report".
func kindCount(k record.Kind, n int) string {
	if i18n.IsChinese() {
		return i18n.Sprintf(msgKindCount, n, i18n.Term("kind", string(k)))
	}
	name := record.Info(k).Plural
	if n == 1 {
		name = string(k)
	}
	return fmt.Sprintf(msgKindCount, n, strings.ReplaceAll(name, "-", " "))
}

// termOfField names the group of terms a field's values belong to: a
// status is a state, a severity a severity, … It is keyed by the field's
// path without its list indexes (actions.status for actions.2.status);
// a path not listed takes its last key's group (courses.topic: topic).
var termOfField = map[string]string{
	"status": "state", "severity": "severity", "category": "category", "channel": "channel",
	"rating": "rating", "computed_rating": "rating", "role": "role", "segment": "segment",
	"topic": "topic", "delivery": "delivery", "classification": "classification",
	"type": "type", "hold.from": "state", "decision.sanction": "sanction",
	"findings.area": "area", "recommendations.decision": "decision",
	"measurements.source": "source", "feasibility.conclusion": "conclusion", "roles": "role",
	"satisfaction": "satisfaction", "receipt_status": "receipt_status",
}

// termGroup is the group of terms the values of the field at path belong
// to ("" when they are not words of a list): "actions.0.status" is a
// state, "recommendations.1.decision" a decision, while a meeting's
// "decisions.0.decision" is text.
func termGroup(path string) string {
	var keys []string
	for _, k := range strings.Split(path, ".") {
		if k == "*" || k != "" && strings.Trim(k, "0123456789") == "" {
			continue
		}
		keys = append(keys, k)
	}
	if g, ok := termOfField[strings.Join(keys, ".")]; ok {
		return g
	}
	if len(keys) < 2 {
		return ""
	}
	last := keys[len(keys)-1]
	if g, ok := termOfField[last]; ok && lastKeyTerms[last] {
		return g
	}
	return ""
}

// lastKeyTerms are the keys whose values are words of a list wherever
// they sit (a course's topic, an action's status).
var lastKeyTerms = map[string]bool{
	"status": true, "severity": true, "category": true, "channel": true, "rating": true,
	"role": true, "segment": true, "topic": true, "delivery": true, "classification": true,
	"roles": true,
}

// cell renders a field's value in a table: amounts with two decimals
// (grouped by thousands on a terminal), durations in hours, lists joined.
// On a terminal, long text is cut to keep the table on the screen.
// With human set, words from the records (states, severities, …) are in
// the reader's language: those of group, the column's (termGroup).
func cell(row *query.Row, f query.Field, group string, tty, human bool) string {
	var parts []string
	add := func(v any) {
		s := cellValue(v, f, tty)
		switch {
		case human && group != "":
			s = i18n.Term(group, s)
		case human && f.Type == query.Bool && (s == "true" || s == "false"):
			s = i18n.Term("bool", s)
		}
		parts = append(parts, s)
	}
	for _, v := range row.Values(f) {
		if l, ok := v.([]any); ok {
			for _, x := range l {
				add(x)
			}
			continue
		}
		add(v)
	}
	// a list's items, for people, with the reader's comma (zhou.jie、sun.li)
	sep := ", "
	if human {
		sep = i18n.T(", ")
	}
	s := strings.Join(parts, sep)
	if tty {
		s = render.Truncate(s, 48)
	}
	return s
}

func cellValue(v any, f query.Field, tty bool) string {
	switch t := v.(type) {
	case time.Duration:
		return rules.Hours(t)
	case record.Map, []any:
		b, _ := json.Marshal(t)
		return string(b)
	}
	s := record.Text(v)
	if f.Type == query.Money || (f.Type == query.List && f.Elem == query.Money) {
		if a, err := money.Parse(s); err == nil && s != query.Redacted {
			if tty {
				return a.Grouped()
			}
			return a.String()
		}
	}
	return s
}

// queryErr shows a mistake in an expression with a caret under it; it is a
// usage error (exit status 2).
func queryErr(flag string, err error) error {
	var qe *query.Error
	if errors.As(err, &qe) {
		return usageErr("%s: %v\n%s", flag, qe, qe.Caret("  "))
	}
	return usageErr("%s: %v", flag, err)
}
