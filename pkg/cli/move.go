package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/opsbook/opsbook/pkg/change"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/opsbook/opsbook/pkg/schema"
	"github.com/opsbook/opsbook/pkg/workflow"
	"github.com/spf13/cobra"
)

type moveOpts struct {
	*global
	writeOpts
	manyOpts
	id   string
	ids  []string // several records (or a dry run)
	to   string
	verb string
}

// moveLong is the longer help of move (%d: manyConfirm), keyed in the help catalog.
const moveLong = `Move changes a record's status along its kind's workflow and commits the
change. The workflow decides whether you (the person whose email is your git
user.email) may make the move: your role, the approval limit, four eyes, the
state the record is in. The rules then check what the new state needs.
Moves stamp what they imply: acknowledged_at and resolution.resolved_at on
complaints, actual.start/end and hold.from on projects, total and rating on a
submitted appraisal; activating a plan that supersedes another moves that one
to superseded in the same commit.

Without STATE, move lists every move out of the record's state and, for
each one you may not make, why not.

Several records move together with "move ID ID… STATE" or "move KIND STATE
--where EXPR" (the records of KIND the expression holds for that have a
move to STATE): all are judged first, against the department with every
move made, and written in one commit, or none when any one is refused
(every refusal is listed; exit 3). --dry-run judges and shows without
writing. A --where selecting more than %d records needs --yes (a
terminal asks).`

func newMoveCmd(g *global) *cobra.Command {
	o := &moveOpts{global: g}
	cmd := &cobra.Command{
		Use:   "move <ID> [STATE]",
		Short: i18n.T("Move a record to another state of its workflow, or list the moves open to you"),
		Long:  i18n.Sprintf(moveLong, manyConfirm) + "\n" + exitHelp(),
		Example: `  opsbook move EXP-2026-0025
  opsbook move EXP-2026-0025 approved --note "checked against the invoice"
  opsbook move PRJ-2026-0003 on_hold --note "waiting for the new budget"
  opsbook move EXP-2026-0025 EXP-2026-0033 approved
  opsbook move task done --where 'assignee = li.wei and due < 2026-12-01' --dry-run`,
		Args: needsID("move", "opsbook move ID [STATE]"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.where != "" {
				if len(args) != 2 {
					return usageErr("with --where, move takes a kind and a state: opsbook move KIND STATE --where EXPR")
				}
				o.ids, o.to = args[:1], args[1]
				return runMoveMany(cmd.Context(), o)
			}
			o.id = args[0]
			if len(args) >= 2 {
				o.ids, o.to = dedupe(args[:len(args)-1]), args[len(args)-1]
			}
			if k, ok := record.KindOfID(o.to); ok && k != record.Person {
				return usageErr("%s is an id: give the state to move to last (opsbook move ID… STATE)", o.to)
			}
			if len(args) > 2 || o.dryRun {
				if o.to == "" {
					return usageErr("--dry-run needs the state to move to: opsbook move ID STATE --dry-run")
				}
				return runMoveMany(cmd.Context(), o)
			}
			return runMove(cmd.Context(), o)
		},
	}
	o.writeOpts.bind(cmd)
	o.manyOpts.bind(cmd)
	return cmd
}

// verbLong is the longer help of a workflow verb: the verb capitalized, the
// verb, the moves it makes (one a line) and manyConfirm.
const verbLong = `%s makes the workflow move named %q on the record ID and commits it,
exactly as "opsbook move ID STATE" would. Moves it makes:
  %s

Given several ids (of any kinds the verb moves), or KIND --where EXPR (the
records of KIND the expression holds for, among those in a state the verb
leaves), it makes every record's move in one commit: all are judged first,
against the department with every move made (claims that together
overspend a budget line are refused, each alone would pass), and nothing
is written when any one is refused (every refusal is listed; exit 3).
Duplicated ids count once. --dry-run judges and shows without writing. A
--where selecting more than %d records needs --yes (a terminal asks).`

// newVerbCmds makes one command per workflow verb (approve, submit, ...),
// each a move named by what it does rather than the state it reaches.
func newVerbCmds(g *global) []*cobra.Command {
	var cmds []*cobra.Command
	for _, verb := range workflow.Verbs() {
		verb := verb
		o := &moveOpts{global: g, verb: verb}
		var kinds []string
		for _, ki := range record.Kinds {
			t := workflow.For(ki.Kind)
			if t == nil {
				continue
			}
			froms := map[string][]string{}
			var tos []string
			for _, m := range t.Moves {
				if m.Verb == verb {
					if froms[m.To] == nil {
						tos = append(tos, m.To)
					}
					froms[m.To] = append(froms[m.To], m.From)
				}
			}
			// the states a move goes to from the same states are one entry
			// (a project's resume: on_hold → the state in hold.from)
			var groups [][]string
			at := map[string]int{}
			for _, to := range tos {
				key := strings.Join(froms[to], "|")
				if i, ok := at[key]; ok {
					groups[i] = append(groups[i], to)
					continue
				}
				at[key] = len(groups)
				groups = append(groups, []string{to})
			}
			for _, g := range groups {
				var fs []string
				for _, f := range froms[g[0]] {
					fs = append(fs, i18n.Term("state", f))
				}
				from := strings.Join(fs, "|")
				if len(froms[g[0]]) > 3 {
					from = i18n.T("(any open state)")
				}
				var ts []string
				for _, to := range g {
					ts = append(ts, i18n.Term("state", to))
				}
				to := strings.Join(ts, "|")
				if to == "" || len(g) > 3 {
					to = i18n.T("(the state in hold.from)")
				}
				kinds = append(kinds, fmt.Sprintf("%s %s → %s", i18n.Term("kind", string(ki.Kind)), from, to))
			}
		}
		cmd := &cobra.Command{
			Use:     verb + " <ID>... | " + verb + " KIND --where EXPR",
			Short:   i18n.Sprintf("Workflow move %q (%s)", verb, strings.Join(kinds, i18n.T("; "))),
			GroupID: "verbs",
			Long:    i18n.Sprintf(verbLong, strings.ToUpper(verb[:1])+verb[1:], verb, strings.Join(kinds, "\n  "), manyConfirm),
			Example: verbExample(verb),
			Args:    needsID(verb, "opsbook "+verb+" ID…"),
			RunE: func(cmd *cobra.Command, args []string) error {
				if o.where != "" || o.many(len(dedupe(args))) {
					o.ids = dedupe(args)
					return runMoveMany(cmd.Context(), o)
				}
				o.id = args[0]
				return runMove(cmd.Context(), o)
			},
		}
		o.writeOpts.bind(cmd)
		o.manyOpts.bind(cmd)
		cmds = append(cmds, cmd)
	}
	return cmds
}

// verbExamples are the records of the shipped sample department a verb's
// help example moves, each in a state the verb leaves (one, and another
// for a move of several; "" when the sample has only one): run in a clone
// of this repository, the example is judged as written, never "no record"
// (TestExamplesNameSampleRecords).
var verbExamples = map[string][2]string{
	"ack":         {"CMP-2026-0018", "CMP-2026-0019"},
	"activate":    {"PLN-2026-0009", ""},
	"approve":     {"EXP-2026-0025", "EXP-2026-0033"},
	"assess":      {"PRJ-2026-0008", ""},
	"cancel":      {"PRJ-2026-0004", "TSK-2026-0004"},
	"close":       {"CMP-2026-0012", "CMP-2026-0013"},
	"complete":    {"TSK-2026-0003", "PLN-2026-0003"},
	"decide":      {"VIO-2026-0003", "ANA-2026-0003"},
	"deliver":     {"TRN-2026-0006", ""},
	"dismiss":     {"VIO-2026-0004", "VIO-2026-0003"},
	"evaluate":    {"TRN-2026-0003", "TRN-2026-0004"},
	"finish":      {"PRJ-2026-0003", ""},
	"hold":        {"PRJ-2026-0003", "PRJ-2026-0004"},
	"investigate": {"CMP-2026-0016", "CMP-2026-0017"},
	"pay":         {"EXP-2026-0021", "EXP-2026-0026"},
	"plan":        {"PRJ-2026-0005", ""},
	"publish":     {"MTG-2026-0005", ""},
	"recalibrate": {"APR-2026-0005", ""},
	"reject":      {"EXP-2026-0023", "EXP-2026-0029"},
	"reopen":      {"CMP-2026-0012", "CMP-2026-0010"},
	"resolve":     {"CMP-2026-0014", "CMP-2026-0015"},
	"resume":      {"PRJ-2026-0002", ""},
	"return":      {"EXP-2026-0023", "EXP-2026-0025"},
	"review":      {"APR-2026-0006", "APR-2026-0008"},
	"revise":      {"EXP-2026-0024", "EXP-2026-0009"},
	"start":       {"PRJ-2026-0004", "TSK-2026-0004"},
	"submit":      {"EXP-2026-0027", "EXP-2026-0028"},
	"supersede":   {"PLN-2026-0003", ""},
}

// verbExample is a verb's help example: one record moved with a note, and
// a dry run of two (of the one, when the sample has only one).
func verbExample(verb string) string {
	ids := verbExamples[verb]
	if ids[0] == "" {
		ids[0] = "ID"
	}
	many := ids[0]
	if ids[1] != "" {
		many += " " + ids[1]
	}
	return fmt.Sprintf("  opsbook %s %s --note \"...\"\n  opsbook %s %s --dry-run", verb, ids[0], verb, many)
}

func runMove(ctx context.Context, o *moveOpts) error {
	if _, err := o.format(render.Text, render.JSON, render.YAML); err != nil {
		return err
	}
	listing := o.to == "" && o.verb == ""
	if !listing {
		action := o.verb
		if action == "" {
			action = "move to " + o.to
		}
		o.attemptOne(changeJSON{ID: o.id, Action: action, To: o.to})
	}
	s, rec, err := o.sessionForWith(ctx, change.Options{NoCommit: o.noCommit, Query: listing}, o.id)
	if err != nil {
		return err
	}
	defer s.Close()
	if listing {
		return listOptions(o, s, rec)
	}
	to := o.to
	if t := workflow.ForPolicy(rec.Kind, s.Repo.Policy); t != nil && to != "" && !t.IsState(to) {
		// each state with its word, and a state typed as its word (已付款)
		// is answered with the one meant
		states := make([]any, len(t.States))
		sug := schema.Suggest(to, t.States)
		for i, st := range t.States {
			states[i] = i18n.Glossed{Group: "state", Key: st}
			if w := i18n.TermIn(i18n.Chinese, "state", st); w != st && w == strings.TrimSpace(to) {
				sug = st
			}
		}
		msg := i18n.Sprintf("%q is not a state of %s %s (states: %s)", to, i18n.Term("kind", string(rec.Kind)), rec.ID, i18n.Join(i18n.P(", "), states...))
		if sug != "" {
			msg = i18n.Sprintf("%q is not a state of %s %s (did you mean %q?)", to, i18n.Term("kind", string(rec.Kind)), rec.ID, sug)
		}
		return usage(errors.New(msg))
	}
	action := o.verb
	if action == "" {
		action = "move to " + to
	}
	from := rec.Status()
	o.attemptOne(changeJSON{ID: rec.ID, Path: rec.Path, Action: action, From: from, To: to})
	if o.verb != "" {
		m, err := workflow.MoveByVerb(rec, o.verb, s.Env())
		if err != nil {
			return writeErr(err)
		}
		to = m.To
		o.attemptOne(changeJSON{ID: rec.ID, Path: rec.Path, Action: action, From: from, To: to})
	}
	if err := workflow.CheckMove(s.Actor, rec, to, s.Env()); err != nil {
		return writeErr(err)
	}
	edits, err := change.MoveEdits(s, rec, to, o.note)
	if err != nil {
		return writeErr(err)
	}
	res, err := s.Apply(ctx, edits, change.Message{Kind: rec.Kind, ID: rec.ID, Action: action, Note: o.note})
	if err != nil {
		return writeErr(err)
	}
	text := i18n.Sprintf("%s: %s → %s", rec.ID, i18n.Term("state", from), i18n.Term("state", to))
	if len(edits) > 1 {
		for _, e := range edits[1:] {
			text += "\n" + i18n.Sprintf("%s: %s → %s", e.Before.ID, i18n.Term("state", e.Before.Status()), i18n.Term("state", "superseded"))
		}
	}
	return o.report(changeJSON{ID: rec.ID, Path: rec.Path, Paths: res.Paths, Action: action, From: from, To: to, Commit: res.Commit, Unchanged: res.Unchanged}, text)
}

// runMoveMany moves several records (ids, or KIND --where EXPR) in one
// commit, or none.
func runMoveMany(ctx context.Context, o *moveOpts) error {
	if _, err := o.format(render.Text, render.JSON, render.YAML); err != nil {
		return err
	}
	sel := selection{ids: o.ids, what: o.verb}
	if o.verb == "" {
		sel.what = "move"
		o.attemptMany("move to " + o.to)
	} else {
		o.attemptMany(o.verb)
	}
	if o.where != "" {
		k, err := whereKind(o.ids, sel.what)
		if err != nil {
			return err
		}
		sel.kind = k
	}
	s, err := o.session(ctx, o.noCommit)
	if err != nil {
		return err
	}
	defer s.Close()
	defer o.manyProgress(s)()
	if o.verb != "" {
		sel.applies = verbApplies(s, o.verb)
	} else {
		sel.applies = moveApplies(s, o.to)
	}
	recs, err := o.pick(ctx, s, &o.manyOpts, sel)
	if err != nil {
		return err
	}
	b, err := s.Moves(recs, o.verb, o.to, o.note)
	if err != nil {
		return writeErr(err)
	}
	return o.runMany(ctx, s, b, o.dryRun)
}

func listOptions(o *moveOpts, s *change.Session, rec *record.Record) error {
	opts := workflow.Options(s.Actor, rec, s.Env())
	format, _ := o.format(render.Text, render.JSON, render.YAML)
	type optJSON struct {
		To      string `json:"to"`
		Verb    string `json:"verb"`
		Allowed bool   `json:"allowed"`
		Reason  string `json:"reason,omitempty"`
		// Needs: every unmet need that refuses the move, one a line.
		Needs []string `json:"needs,omitempty"`
	}
	out := []optJSON{}
	t := &render.Table{Headers: render.Headers("TO", "VERB", "YOU", "WHY NOT"), Wrap: map[int]bool{3: true}}
	for _, op := range opts {
		// A move the workflow allows may still be refused by what the new
		// state needs: try it (nothing is written) and say why, every need.
		var needs []string
		if op.Allowed {
			var texts []string
			if needs, texts = s.Needs(rec, op.To); len(needs) > 0 {
				op.Allowed, op.Reason, op.ReasonText = false, strings.Join(needs, "; "), strings.Join(texts, i18n.T("; "))
			}
		}
		out = append(out, optJSON{op.To, op.Verb, op.Allowed, op.Reason, needs})
		you := i18n.T("yes")
		if !op.Allowed {
			you = i18n.T("no")
		}
		t.Add(i18n.Term("state", op.To), op.Verb, you, op.ReasonText)
	}
	switch format {
	case render.JSON:
		return render.WriteJSON(o.io.Out, out)
	case render.YAML:
		return render.WriteYAML(o.io.Out, out)
	}
	// on a terminal the lines above the table are wrapped at its width,
	// as the reasons in it are; piped, they are whole
	width := 0
	if o.io.OutTTY {
		width = o.io.Width
	}
	fmt.Fprintln(o.io.Out, render.WrapLines(i18n.Sprintf("%s is %s; you are %s", rec.ID, i18n.Term("state", rec.Status()), actorText(s.Actor)), width))
	fmt.Fprintln(o.io.Out, render.WrapLines(i18n.Sprintf("fields you may change: %s (opsbook rights %s)", workflow.Editable(s.Actor, rec, s.Env()), rec.Kind), width))
	if len(opts) == 0 {
		fmt.Fprintln(o.io.Out, i18n.T("no moves: the state is final"))
		return nil
	}
	return render.WriteTableWidth(o.io.Out, t, o.io.OutTTY, o.io.Width)
}

// actorText is the actor as a reader of the current language knows them:
// the handle and the role's word (zhang.wei（專員）).
func actorText(a workflow.Actor) string {
	if a.Handle == "" || a.Role == "" {
		return a.String()
	}
	return i18n.Sprintf("%s (%s)", a.Handle, i18n.Term("role", string(a.Role)))
}

// needsID is the Args of a command about records given by id: without
// any, it says what it needs as the command is typed (cobra would say "at
// least 1 argument").
func needsID(name, usage string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return usageErr("%s needs the id of a record: %s (or KIND --where EXPR; see `opsbook %s --help`)", name, usage, name)
		}
		return nil
	}
}
