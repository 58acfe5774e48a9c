package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/opsbook/opsbook/pkg/change"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/query"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/opsbook/opsbook/pkg/rules"
	"github.com/opsbook/opsbook/pkg/workflow"
	"github.com/spf13/cobra"
)

// manyConfirm is how many records a --where selection may change without
// --yes: past it, a terminal asks and a script must say --yes. Ids typed
// one by one are never asked about: they are chosen already.
const manyConfirm = 20

// manyOpts are the flags of the commands that change several records at
// once: the ids on the command line, or KIND --where EXPR.
type manyOpts struct {
	where  string
	yes    bool
	dryRun bool
}

func (m *manyOpts) bind(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVarP(&m.where, "where", "w", "", i18n.T("change the records of KIND that `EXPR` holds for (the --where of list)"))
	f.BoolVarP(&m.yes, "yes", "y", false, i18n.Sprintf("change more than %d records selected by --where without asking", manyConfirm))
	f.BoolVar(&m.dryRun, "dry-run", false, i18n.T("judge the change and show what it would do; write nothing"))
}

// many reports whether the command is a change of several records (or a
// dry run, which goes the same way) rather than one record's.
func (m *manyOpts) many(ids int) bool { return m.where != "" || m.dryRun || ids > 1 }

// selection is what a command of several records acts on.
type selection struct {
	ids  []string    // the ids as given (deduplicated)
	kind record.Kind // with --where
	// applies keeps, of a --where selection, the records the command can
	// act on (a verb: those in a state it leaves); nil keeps all.
	applies func(*record.Record) bool
	what    string // "approve", for messages
}

// pick finds the records of the selection: every id (all unknown ids named
// at once; duplicates, also under another spelling, once), or the records
// of the kind that the expression holds for and the command applies to.
func (g *global) pick(ctx context.Context, s *change.Session, m *manyOpts, sel selection) ([]*record.Record, error) {
	if m.where == "" {
		var recs []*record.Record
		var unknown []string
		seen := map[string]bool{}
		for _, id := range sel.ids {
			rec, err := s.Find(id)
			if err != nil {
				unknown = append(unknown, err.Error())
				continue
			}
			if rec, err = filedUnderID(g.io.Err, s.Repo, rec, false); err != nil {
				return nil, err
			}
			if !seen[rec.Path] {
				seen[rec.Path] = true
				recs = append(recs, rec)
			}
		}
		if len(unknown) > 0 {
			return nil, usage(errors.New(strings.Join(unknown, "; ")))
		}
		return recs, nil
	}
	fields, err := query.FieldsOf(sel.kind)
	if err != nil {
		return nil, err
	}
	// a selection reads every record of the kind, and its rows the rules
	if err := s.Whole(); err != nil {
		return nil, err
	}
	all := s.Repo.Set.OfKind(sel.kind)
	q, err := query.Parse(m.where, fields)
	if err != nil {
		fields.Observe(all)
		if q, err = query.Parse(m.where, fields); err != nil {
			return nil, queryErr("--where", err)
		}
	}
	rc := &rules.Context{Set: s.Repo.Set, Policy: s.Repo.Policy, Root: s.Repo.Root, Now: s.Now}
	var recs []*record.Record
	for _, row := range q.Filter(query.NewRows(rc, all, false)) {
		if sel.applies == nil || sel.applies(row.Record) {
			recs = append(recs, row.Record)
		}
	}
	if len(recs) == 0 {
		return nil, usageErr("nothing to %s: no %s matches --where %q that %s can change; nothing was changed", sel.what, i18n.Term("kind", string(sel.kind)), m.where, sel.what)
	}
	if len(recs) > manyConfirm && !m.yes && !m.dryRun {
		if err := g.confirm(ctx, s, len(recs), sel); err != nil {
			return nil, err
		}
	}
	return recs, nil
}

// confirm asks on a terminal before a --where selection changes many
// records; without a terminal, --yes is needed. The lock is let go while
// the question waits (others may write meanwhile) and taken again after a
// yes, refusing when the repository changed in between (change.Resume).
func (g *global) confirm(ctx context.Context, s *change.Session, n int, sel selection) error {
	if !g.io.InTTY || !g.io.ErrTTY {
		return usageErr("--where selects %d records, more than %d: give --yes to %s them all (--dry-run lists them); nothing was changed", n, manyConfirm, sel.what)
	}
	if err := s.Pause(); err != nil {
		return err
	}
	fmt.Fprint(g.io.Err, i18n.Sprintf("%s %d records (%s)? [y/N] ", sel.what, n, sel.kind))
	line, _ := bufio.NewReader(g.io.In).ReadString('\n')
	if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" && a != "是" {
		return usageErr("not confirmed; nothing was changed")
	}
	return writeErr(s.Resume(ctx, g.wait))
}

// whereKind reads the KIND a --where selection needs from the arguments.
func whereKind(args []string, cmd string) (record.Kind, error) {
	if len(args) != 1 {
		return "", usageErr("with --where, %s takes one kind (opsbook %s KIND --where EXPR): %s", cmd, cmd, kindNames())
	}
	k, err := record.ParseKind(args[0])
	if err != nil {
		return "", usage(err)
	}
	return k, nil
}

// dedupe keeps the first of each id as typed.
func dedupe(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// manyJSON is the -o json shape of a change of several records.
type manyJSON struct {
	Action  string     `json:"action"`
	DryRun  bool       `json:"dry_run,omitempty"`
	Commit  string     `json:"commit"`
	Records []lineJSON `json:"records"`
	// Same are the records that already said so (left out of the commit).
	Same    []string   `json:"same,omitempty"`
	Refused []diagJSON `json:"refused,omitempty"`
}

type lineJSON struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
}

type diagJSON struct {
	Record  string `json:"record"`
	Field   string `json:"field,omitempty"`
	Path    string `json:"path"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// runMany judges the batch and, unless it is a dry run, writes it in one
// commit; it says what was (or would be) done, record by record.
func (g *global) runMany(ctx context.Context, s *change.Session, b *change.Batch, dryRun bool) error {
	format, err := g.format(render.Text, render.JSON, render.YAML)
	if err != nil {
		return err
	}
	out := manyJSON{Action: b.Msg.Action, DryRun: dryRun, Records: []lineJSON{}}
	for _, l := range b.Msg.Many {
		j := lineJSON{ID: l.ID, Kind: string(l.Kind)}
		if l.From != l.To {
			j.From, j.To = l.From, l.To
		}
		out.Records = append(out.Records, j)
	}
	var res *change.Result
	if dryRun {
		err = s.CheckBatch(b)
	} else {
		res, err = s.ApplyBatch(ctx, b)
	}
	var ref *change.Refused
	if err != nil {
		if format != render.Text && errors.As(err, &ref) {
			out.Records = []lineJSON{}
			for _, d := range ref.Diagnostics {
				out.Refused = append(out.Refused, diagJSON{d.Record, d.Field, d.Path, d.Line, d.Column, d.Rule, d.Message})
			}
			if werr := g.writeMany(format, out); werr != nil {
				return werr
			}
		}
		return writeErr(err)
	}
	if res != nil {
		out.Commit, out.Same = res.Commit, res.Same
		same := map[string]bool{}
		for _, id := range res.Same {
			same[id] = true
		}
		kept := out.Records[:0]
		for _, r := range out.Records {
			if !same[r.ID] {
				kept = append(kept, r)
			}
		}
		out.Records = kept
	}
	if format != render.Text {
		return g.writeMany(format, out)
	}
	for _, r := range out.Records {
		if r.From != "" {
			fmt.Fprintln(g.io.Out, i18n.Sprintf("%s: %s → %s", r.ID, i18n.Term("state", r.From), i18n.Term("state", r.To)))
		} else {
			fmt.Fprintln(g.io.Out, i18n.Sprintf("%s: %s", r.ID, actionText(b.Msg.Action)))
		}
	}
	n := len(out.Records)
	switch {
	case dryRun:
		fmt.Fprintln(g.io.Err, i18n.Plural(n, "dry run: %d record would change in one commit; nothing was written", "dry run: %d records would change in one commit; nothing was written", n))
	case res.Unchanged:
		fmt.Fprintln(g.io.Err, i18n.Sprintf("no changes: every record already says so; nothing committed (%s)", strings.Join(res.Same, i18n.T(", "))))
	default:
		if len(res.Same) > 0 {
			fmt.Fprintln(g.io.Err, i18n.Sprintf("already so, left out: %s", strings.Join(res.Same, i18n.T(", "))))
		}
		if res.Commit != "" && n == 1 {
			fmt.Fprintln(g.io.Err, i18n.Sprintf("committed %s (1 record)", short(res.Commit)))
		} else if res.Commit != "" {
			fmt.Fprintln(g.io.Err, i18n.Sprintf("committed %s (%d records in one commit)", short(res.Commit), n))
		} else {
			fmt.Fprintln(g.io.Err, i18n.Plural(n, "not committed (--no-commit or policy commit: false): %d record changed", "not committed (--no-commit or policy commit: false): %d records changed", n))
		}
	}
	return nil
}

func (g *global) writeMany(format render.Format, out manyJSON) error {
	g.saidJSON = true
	if format == render.YAML {
		return render.WriteYAML(g.io.Out, out)
	}
	return render.WriteJSON(g.io.Out, out)
}

// manyProgress shows on a terminal how far judging many records has got.
func (g *global) manyProgress(s *change.Session) (done func()) {
	if !g.io.ErrTTY || g.output == "json" || g.output == "yaml" {
		return func() {}
	}
	bars := map[string]*render.Progress{}
	s.Progress = func(what string, n, total int) {
		p := bars[what]
		if p == nil {
			label := i18n.T("judging records")
			switch what {
			case "reading":
				label = i18n.T("reading records")
			case "trying":
				label = i18n.T("trying the moves")
			}
			p = render.NewProgress(g.io.Err, label)
			bars[what] = p
		}
		p.Update(n, total)
		if n >= total {
			p.Done()
		}
	}
	return func() {
		for _, p := range bars {
			p.Done()
		}
	}
}

// verbApplies keeps the records a verb can move: a move of that name leaves
// the record's state.
func verbApplies(s *change.Session, verb string) func(*record.Record) bool {
	return func(rec *record.Record) bool {
		_, err := workflow.MoveByVerb(rec, verb, s.Env())
		var r *workflow.Refusal
		// a resume whose hold.from is wrong is still a record the verb is for:
		// judged, it is refused with its reason
		return err == nil || (errors.As(err, &r) && r.Rule == workflow.RuleHoldFrom)
	}
}

// moveApplies keeps the records that have a move to state to.
func moveApplies(s *change.Session, to string) func(*record.Record) bool {
	return func(rec *record.Record) bool {
		t := workflow.ForPolicy(rec.Kind, s.Repo.Policy)
		if t == nil {
			return false
		}
		_, ok := t.Find(rec.Status(), to)
		return ok
	}
}
