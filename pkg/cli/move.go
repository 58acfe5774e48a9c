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
	id   string
	to   string
	verb string
}

func newMoveCmd(g *global) *cobra.Command {
	o := &moveOpts{global: g}
	cmd := &cobra.Command{
		Use:   "move <ID> [STATE]",
		Short: i18n.T("Move a record to another state of its workflow, or list the moves open to you"),
		Long: `Move changes a record's status along its kind's workflow and commits the
change. The workflow decides whether you (the person whose email is your git
user.email) may make the move: your role, the approval limit, four eyes, the
state the record is in. The rules then check what the new state needs.
Moves stamp what they imply: acknowledged_at and resolution.resolved_at on
complaints, actual.start/end and hold.from on projects, total and rating on a
submitted appraisal; activating a plan that supersedes another moves that one
to superseded in the same commit.

Without STATE, move lists every move out of the record's state and, for
each one you may not make, why not.`,
		Example: `  opsbook move EXP-2026-0041
  opsbook move EXP-2026-0041 approved --note "checked against the invoice"
  opsbook move PRJ-2026-0002 on_hold --note "waiting for the new budget"`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.id = args[0]
			if len(args) == 2 {
				o.to = args[1]
			}
			return runMove(cmd.Context(), o)
		},
	}
	o.writeOpts.bind(cmd)
	return cmd
}

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
			for _, to := range tos {
				var fs []string
				for _, f := range froms[to] {
					fs = append(fs, i18n.Term("state", f))
				}
				from := strings.Join(fs, "|")
				if len(froms[to]) > 3 {
					from = i18n.T("(any open state)")
				}
				to := i18n.Term("state", to)
				if to == "" {
					to = i18n.T("(the state in hold.from)")
				}
				kinds = append(kinds, fmt.Sprintf("%s %s → %s", i18n.Term("kind", string(ki.Kind)), from, to))
			}
		}
		cmd := &cobra.Command{
			Use:     verb + " <ID>",
			Short:   i18n.Sprintf("Workflow move %q (%s)", verb, strings.Join(kinds, i18n.T("; "))),
			GroupID: "verbs",
			Long: fmt.Sprintf(`%s makes the workflow move named %q on the record ID and commits it,
exactly as "opsbook move ID STATE" would. Moves it makes:
  %s`, strings.ToUpper(verb[:1])+verb[1:], verb, strings.Join(kinds, "\n  ")),
			Example: fmt.Sprintf("  opsbook %s %s --note \"...\"", verb, exampleID(verb)),
			Args:    cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				o.id = args[0]
				return runMove(cmd.Context(), o)
			},
		}
		o.writeOpts.bind(cmd)
		cmds = append(cmds, cmd)
	}
	return cmds
}

func exampleID(verb string) string {
	switch verb {
	case "ack", "investigate", "resolve", "reopen":
		return "CMP-2026-0042"
	case "hold", "resume", "cancel", "assess", "start", "finish", "plan":
		return "PRJ-2026-0003"
	case "activate", "complete", "supersede", "revise":
		return "PLN-2026-0004"
	case "recalibrate":
		return "APR-2026-0011"
	}
	return "EXP-2026-0193"
}

func runMove(ctx context.Context, o *moveOpts) error {
	if _, err := o.format(render.Text, render.JSON, render.YAML); err != nil {
		return err
	}
	s, rec, err := o.sessionFor(ctx, o.noCommit, o.id)
	if err != nil {
		return err
	}
	defer s.Close()
	if o.to == "" && o.verb == "" {
		return listOptions(o, s, rec)
	}
	to := o.to
	if t := workflow.ForPolicy(rec.Kind, s.Repo.Policy); t != nil && to != "" && !t.IsState(to) {
		msg := i18n.Sprintf("%q is not a state of %s %s (states: %s)", to, i18n.Term("kind", string(rec.Kind)), rec.ID, strings.Join(t.States, ", "))
		if sug := schema.Suggest(to, t.States); sug != "" {
			msg = i18n.Sprintf("%q is not a state of %s %s (did you mean %q?)", to, i18n.Term("kind", string(rec.Kind)), rec.ID, sug)
		}
		return usage(errors.New(msg))
	}
	if o.verb != "" {
		m, err := workflow.MoveByVerb(rec, o.verb, s.Env())
		if err != nil {
			return writeErr(err)
		}
		to = m.To
	}
	if err := workflow.CheckMove(s.Actor, rec, to, s.Env()); err != nil {
		return writeErr(err)
	}
	edits, err := change.MoveEdits(s, rec, to, o.note)
	if err != nil {
		return writeErr(err)
	}
	action := o.verb
	if action == "" {
		action = "move to " + to
	}
	from := rec.Status()
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
			if edits, err := change.MoveEdits(s, rec, op.To, ""); err == nil {
				if err := s.Check(edits, change.Message{Kind: rec.Kind, ID: rec.ID, Action: op.Verb}); err != nil {
					needs = unmet(err)
					op.Allowed, op.Reason = false, strings.Join(needs, "; ")
				}
			}
		}
		out = append(out, optJSON{op.To, op.Verb, op.Allowed, op.Reason, needs})
		you := i18n.T("yes")
		if !op.Allowed {
			you = i18n.T("no")
		}
		t.Add(i18n.Term("state", op.To), op.Verb, you, op.Reason)
	}
	switch format {
	case render.JSON:
		return render.WriteJSON(o.io.Out, out)
	case render.YAML:
		return render.WriteYAML(o.io.Out, out)
	}
	fmt.Fprintln(o.io.Out, i18n.Sprintf("%s is %s; you are %s", rec.ID, i18n.Term("state", rec.Status()), s.Actor))
	fmt.Fprintln(o.io.Out, i18n.Sprintf("fields you may change: %s (opsbook rights %s)", workflow.Editable(s.Actor, rec, s.Env()), rec.Kind))
	if len(opts) == 0 {
		fmt.Fprintln(o.io.Out, i18n.T("no moves: the state is final"))
		return nil
	}
	return render.WriteTableWidth(o.io.Out, t, o.io.OutTTY, o.io.Width)
}

// unmet lists why a check refused a move: each diagnostic's message, or
// the reason itself when it has none.
func unmet(err error) []string {
	var ref *change.Refused
	if errors.As(err, &ref) && len(ref.Diagnostics) > 0 {
		var out []string
		for _, d := range ref.Diagnostics {
			out = append(out, d.Message)
		}
		return out
	}
	return []string{strings.TrimSpace(strings.SplitN(err.Error(), "\n", 2)[0])}
}
