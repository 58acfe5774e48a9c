package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/opsbook/opsbook/pkg/crypt"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/internal/cells"
	"github.com/opsbook/opsbook/pkg/query"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/opsbook/opsbook/pkg/rules"
	"github.com/opsbook/opsbook/pkg/schema"
	"github.com/spf13/cobra"
)

// historyFunc, when set, returns a record's last moves from git, newest
// first, at most limit of them; show prints them under "History" and in the
// "history" field of -o json/yaml. The audit trail provides it (showHistory
// in history.go); a nil result (not a git repository) leaves the section
// out. An error is reported on standard error and does not fail show.
var historyFunc = showHistory

// showHistoryMoves is how many of the last moves show prints.
const showHistoryMoves = 5

type showOpts struct {
	*global
	id     string
	redact bool
}

// showLong is the longer help of show, keyed in the help catalog.
const showLong = `Show prints one record: its fields, and what follows from them —
complaints: the SLA clocks (first response and resolution) against the
policy for their severity; appraisals: the total and rating computed from
the indicators; expenses: the items' sum, the receipts, and the budget left in
the claim's category (and project line) for its year. Then the records it
names (references out, with their titles), the records that name it
(references in), and what validate finds in its file.

--redact, for output that leaves the department, refuses a record marked
classification: confidential (exit status 3) and shows "[redacted]" for
confidential fields (customer and complaint contact details).

Output (-o): text, json, yaml (the shape is in the README).`

func newShowCmd(g *global) *cobra.Command {
	o := &showOpts{global: g}
	cmd := &cobra.Command{
		Use:   "show <id>",
		Short: i18n.T("Show one record with what is derived from it"),
		Long:  i18n.T(showLong),
		Example: `  opsbook show EXP-2026-0001
  opsbook show CMP-2026-0004 -o json
  opsbook show li.wei
  opsbook show CMP-2026-0013 --redact`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr("show needs one record id, like EXP-2026-0001 or li.wei")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.id = args[0]
			return runShow(cmd.Context(), o)
		},
	}
	addRedactFlag(cmd, &o.redact)
	return cmd
}

func runShow(ctx context.Context, o *showOpts) error {
	format, err := o.format(render.Text, render.JSON, render.YAML)
	if err != nil {
		return err
	}
	o.quietTwice = true
	now, r, err := o.loadAround(ctx, o.id)
	if err != nil {
		return err
	}
	rec := r.Set.Get(o.id)
	if rec == nil {
		if err := unreadableRecord(r, o.id); err != nil {
			return err
		}
		ids := make([]string, len(r.Set.Records))
		for i, rec := range r.Set.Records {
			ids[i] = rec.ID
		}
		return usageErr("no record with id %q%s", o.id, similarIDs(ids, o.id))
	}
	if rec, err = filedUnderID(o.io.Err, r, rec, true); err != nil {
		return err
	}
	if o.redact && query.Confidential(rec, r.Policy) {
		why := "classification: confidential"
		if rec.Str("classification") == "" {
			why = i18n.Sprintf("confidential by default for %s records", i18n.Term("kind", string(rec.Kind)))
		}
		return refused(i18n.Errorf("%s is confidential (%s): --redact does not show it", rec.ID, why))
	}
	rc := &rules.Context{Set: r.Set, Policy: r.Policy, Root: r.Root, Now: now}
	findings := r.ValidatePaths(now, []string{rec.Path})
	// Encrypted fields show in clear where your key opens them.
	d := query.Describe(rc, o.reveal(rec, o.redact), findings, o.redact)
	if historyFunc != nil {
		h, err := historyFunc(ctx, r.Root, rec, showHistoryMoves)
		if err != nil {
			fmt.Fprintln(o.io.Err, "opsbook: "+i18n.Sprintf("reading the history of %s: %v", rec.ID, err))
		} else {
			d.History = h // nil: no git history (not a git repository)
		}
	}
	if format == render.JSON || format == render.YAML {
		// money as exact decimal strings, as list gives it
		if fields, err := query.FieldsOf(rec.Kind); err == nil {
			d.Fields = fields.ExactMoney(d.Fields)
		}
	}
	switch format {
	case render.JSON:
		return render.WriteJSON(o.io.Out, d)
	case render.YAML:
		return render.WriteYAML(o.io.Out, d)
	}
	return writeDetail(o.io.Out, o, d, r.Root)
}

// similarIDs suggests ids close to a mistyped one (" (did you mean ...?)"),
// nearest first, the first of equals in the order of ids.
func similarIDs(ids []string, id string) string {
	up := strings.ToUpper(id)
	type near struct {
		id string
		d  int
	}
	var found []near
	for _, other := range ids {
		if d := schema.Distance(strings.ToUpper(other), up); d <= 2 {
			found = append(found, near{other, d})
		}
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].d < found[j].d })
	if len(found) == 0 {
		return ""
	}
	var best []string
	for i := 0; i < len(found) && i < 3; i++ {
		best = append(best, found[i].id)
	}
	// A or B, A, B or C; A 或 B, A、B 或 C
	which := best[0]
	if n := len(best); n > 1 {
		which = i18n.Join(i18n.P(" or "), strings.Join(best[:n-1], i18n.T(", ")), best[n-1]).String()
	}
	return i18n.Sprintf(" (did you mean %s?)", which)
}

// writeDetail prints a record for people: a heading, the fields with
// aligned labels, then one section per thing derived from it.
func writeDetail(w io.Writer, o *showOpts, d *query.Detail, root string) error {
	c := o.colors()
	width := 0
	if o.io.OutTTY {
		width = o.io.Width
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s  %s\n", c.Bold(d.ID), c.Bold(d.Title))
	meta := []string{i18n.Term("kind", d.Kind)}
	if d.Status != "" {
		meta = append(meta, i18n.Term("state", d.Status))
	}
	if d.Classification != "internal" {
		meta = append(meta, i18n.Term("classification", d.Classification))
	}
	meta = append(meta, d.Path)
	fmt.Fprintln(&b, c.Dim(strings.Join(meta, " · ")))

	var fields []render.Field
	for _, l := range d.Lines() {
		v := fieldValue(l.Path, l.Value)
		if strings.HasPrefix(l.Path, "attachments.") && strings.HasSuffix(l.Path, ".path") && crypt.IsEncryptedPath(l.Value) {
			// An encrypted attachment: who may read it opens it so.
			v += "  " + c.Dim(i18n.Sprintf("%s (opsbook attachment %s %s)", crypt.Marker, d.ID, path.Base(l.Value)))
		}
		fields = append(fields, render.Field{Label: fieldLabel(l.Path), Value: v})
	}
	if len(fields) > 0 {
		b.WriteString("\n")
		if err := render.WriteFields(&b, fields, "  ", width); err != nil {
			return err
		}
	}
	section := func(title string, fs []render.Field) {
		fmt.Fprintf(&b, "\n%s\n", c.Bold(title))
		if len(fs) == 0 {
			b.WriteString("  " + i18n.T("none") + "\n")
			return
		}
		_ = render.WriteFields(&b, fs, "  ", width)
	}

	if s := d.SLA; s != nil {
		section(i18n.Sprintf("SLA (%s severity)", i18n.Term("severity", s.Severity)), []render.Field{
			{Label: i18n.T("first response"), Value: clockText(c, s.Respond, i18n.T("not acknowledged yet"))},
			{Label: i18n.T("resolution"), Value: clockText(c, s.Resolve, i18n.T("not resolved yet"))},
		})
	}
	if a := d.Appraisal; a != nil {
		weights := a.Weights
		if weights != "100" {
			weights = c.Red(weights + i18n.T(" (the weights must sum to 100)"))
		}
		fs := []render.Field{
			{Label: i18n.T("weights"), Value: weights},
			{Label: i18n.T("computed total"), Value: a.ComputedTotal + written(a.Total)},
			{Label: i18n.T("computed rating"), Value: i18n.Term("rating", a.ComputedRating) + written(i18n.Term("rating", a.Rating))},
		}
		if a.BelowStandard {
			fs = append(fs, render.Field{Label: i18n.T("below standard"), Value: i18n.T("yes: an improvement plan is needed once submitted")})
		}
		section(i18n.T("Score"), fs)
	}
	if e := d.Expense; e != nil {
		fs := []render.Field{{Label: i18n.T("amount"), Value: e.Amount.Grouped()}}
		if e.ItemsSum != nil {
			v := i18n.Sprintf("%d, summing to %s", e.Items, e.ItemsSum.Grouped())
			if e.ItemsMatch {
				v += i18n.T(" (equal to the amount)")
			} else {
				v += c.Red(i18n.Sprintf(" (differs from the amount by %s)", e.Amount.Sub(*e.ItemsSum).Grouped()))
			}
			fs = append(fs, render.Field{Label: i18n.T("items"), Value: v})
		}
		fs = append(fs, render.Field{Label: i18n.T("receipts"), Value: receiptText(e)})
		section(i18n.T("Items and receipts"), fs)
		var bs []render.Field
		for _, u := range e.Budget {
			category := i18n.Term("category", u.Category)
			label := u.Year + " " + category
			if u.Project != "" {
				label = u.Year + " " + u.Project + " / " + category
			}
			v := i18n.T("no approved budget line")
			if u.Budgeted {
				v = i18n.Sprintf("budget %s · used %s · remaining %s", u.Budget.Grouped(), u.Used.Grouped(), u.Remaining.Grouped())
				if u.Over {
					v = c.Red(v + i18n.T(" · over budget"))
				}
			}
			bs = append(bs, render.Field{Label: label, Value: v})
		}
		title := i18n.T("Budget (approved and paid claims; this one is not counted in its state)")
		if e.Counted {
			title = i18n.T("Budget (approved and paid claims, this one included)")
		}
		section(title, bs)
	}

	// References are three columns: the field, the id, the title.
	idWidth := 0
	for _, ref := range d.RefsOut {
		idWidth = max(idWidth, cells.Width(ref.ID))
	}
	var out []render.Field
	for _, ref := range d.RefsOut {
		v := render.Pad(ref.ID, idWidth+2) + ref.Title
		if ref.Missing {
			v = c.Red(i18n.Sprintf("%s (no such %s)", ref.ID, i18n.Term("kind", ref.Kind)))
		}
		out = append(out, render.Field{Label: fieldLabel(ref.Field), Value: strings.TrimSpace(v)})
	}
	section(i18n.T("References out"), out)
	viaWidth := 0
	for _, ref := range d.RefsIn {
		viaWidth = max(viaWidth, cells.Width(refVia(ref.Kind, ref.Field)))
	}
	var in []render.Field
	for _, ref := range d.RefsIn {
		in = append(in, render.Field{Label: ref.ID, Value: render.Pad(refVia(ref.Kind, ref.Field), viaWidth+2) + ref.Title})
	}
	section(i18n.T("References in"), in)

	fmt.Fprintf(&b, "\n%s\n", c.Bold(i18n.T("Validation")))
	if len(d.Findings) == 0 {
		b.WriteString("  " + i18n.T("no findings") + "\n")
	} else {
		var diags bytes.Buffer
		if err := render.WriteDiagnostics(&diags, d.Findings, root, false, c); err != nil {
			return err
		}
		for _, l := range strings.SplitAfter(strings.TrimRight(diags.String(), "\n"), "\n") {
			// a finding is a paragraph: on a terminal it wraps at its
			// width, the lines after its first indented under it
			room := 0
			if width > 0 {
				room = max(20, width-4)
			}
			for i, part := range render.Wrap(strings.TrimRight(l, "\n"), room) {
				if i > 0 {
					b.WriteString("  ")
				}
				b.WriteString("  " + part + "\n")
			}
		}
	}

	if d.History != nil {
		var hs []render.Field
		// the actors in a column, as history and log print them
		actorW := 0
		for _, h := range d.History {
			actorW = max(actorW, cells.Width(h.Actor))
		}
		for _, h := range d.History {
			move := i18n.Term("verb", h.Action)
			switch {
			case h.From == "" && h.To == "":
			case h.From == "" || h.From == h.To: // created, or edited in its state: "新增（草稿）" as history says
				move += i18n.Sprintf(" (%s)", i18n.Term("state", h.To))
			default:
				move += i18n.Sprintf(" (%s → %s)", i18n.Term("state", h.From), i18n.Term("state", h.To))
			}
			if len(h.Fields) > 0 {
				move += i18n.Sprintf("; changed %s", strings.Join(h.Fields, i18n.T(", ")))
			}
			commit := h.Commit
			if len(commit) > 8 {
				commit = commit[:8]
			}
			// the commit's date as history and log print it (-o json
			// keeps RFC 3339)
			at := h.At
			if t, err := time.Parse(time.RFC3339, h.At); err == nil {
				at = t.Format("2006-01-02 15:04")
			}
			hs = append(hs, render.Field{Label: at, Value: fmt.Sprintf("%s  %s  %s", render.Pad(h.Actor, actorW), move, c.Dim(commit))})
		}
		section(i18n.T("History (last moves)"), hs)
	}
	_, err := w.Write(b.Bytes())
	return err
}

func clockText(c render.Colors, cl query.ClockDetail, open string) string {
	var s string
	if cl.Running {
		s = i18n.Sprintf("%s, open %s of %s (due %s)", open, cl.ElapsedHours(), cl.LimitHours(), cl.Due)
	} else {
		s = i18n.Sprintf("%s of %s", cl.ElapsedHours(), cl.LimitHours())
	}
	if cl.Breach {
		return c.Red(s + i18n.T(" · breached"))
	}
	return s
}

func written(v string) string {
	if v == "" {
		return ""
	}
	return i18n.Sprintf(" (written: %s)", v)
}

func receiptText(e *query.ExpenseDetail) string {
	var s string
	switch e.Receipts {
	case "claim":
		s = i18n.T("one for the whole claim")
	case "items":
		s = i18n.T("on every item")
	case "partial":
		s = i18n.T("on some items only")
	default:
		s = i18n.T("none")
	}
	if e.ReceiptRequired {
		return s + i18n.T(" (required: the amount is over the receipt threshold)")
	}
	return s + i18n.T(" (not required at this amount)")
}

// fieldLabel is how show names a field in the reader's language: in
// Chinese its words, numbering list entries from 1, then the path as the
// file and `set` spell it ("申請人 (claimant)", "明細 1·金額
// (items.0.amount)"); in English, or when no word of it is translated, the
// path alone.
func fieldLabel(path string) string {
	if !i18n.IsChinese() {
		return path
	}
	if t := i18n.Field(path).String(); t != path {
		return t + " (" + path + ")"
	}
	return path
}

// refVia names the field through which a record of kind refers to the one
// shown: "appraisal.employee"; in Chinese its words first, "考核·員工
// (appraisal.employee)".
func refVia(kind, field string) string {
	via := kind + "." + field
	if l := fieldLabel(field); l != field {
		words, _, _ := strings.Cut(l, " (")
		return i18n.Term("kind", kind) + "·" + words + " (" + via + ")"
	}
	return via
}

// fieldValue shows a listed word (a category, a severity, a role, true or
// false) in the reader's language, each word of a list of them (a course's
// audience's roles, joined by ", " or 、); any other value as it is.
func fieldValue(path, value string) string {
	if g := termGroup(path); g != "" {
		sep := i18n.T(", ") // as Lines joined them
		words := strings.Split(value, sep)
		for i, w := range words {
			words[i] = i18n.Term(g, w)
		}
		return strings.Join(words, sep)
	}
	if value == "true" || value == "false" {
		return i18n.Term("bool", value)
	}
	return value
}
