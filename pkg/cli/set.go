package cli

import (
	"context"
	"errors"
	"strings"

	"github.com/opsbook/opsbook/pkg/change"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/spf13/cobra"
)

type setOpts struct {
	*global
	writeOpts
	manyOpts
	ids    []string // several records, or KIND with --where
	id     string
	sets   []string
	unsets []string
}

// setLong is the longer help of set (%d: manyConfirm), keyed in the help catalog.
const setLong = `Set changes fields of a record: FIELD is a dotted path (resolution.solution,
items.0.amount), FIELD+=VALUE appends to a list, --unset removes a field.
Comments and layout of the file are kept. The change is validated and
refused (nothing written) when it would break a rule or when the record is
in a final state; status, kind and id change only through move and renumber.

Several ids (each before the first FIELD=VALUE), or KIND --where EXPR (the
records of KIND the expression holds for), make the same change to every
record in one commit: all are judged first, against the department with
every change made, and nothing is written when any one is refused (every
refusal is listed; exit 3). A record that already says so is left out of
the commit. --dry-run judges and shows without writing. A --where
selecting more than %d records needs --yes (a terminal asks).`

func newSetCmd(g *global) *cobra.Command {
	o := &setOpts{global: g}
	cmd := &cobra.Command{
		Use:   "set <ID>... FIELD=VALUE... [--unset FIELD]... | set KIND --where EXPR FIELD=VALUE...",
		Short: i18n.T("Change fields of a record, keeping its comments, and commit"),
		Long:  i18n.Sprintf(setLong, manyConfirm),
		Example: `  opsbook set EXP-2026-0027 amount=2180.50 note="incl. delivery"
  opsbook set TSK-2026-0003 TSK-2026-0004 due=2026-12-15
  opsbook set complaint --where 'assignee = zhou.jie and status != closed' assignee=li.wei --dry-run
  opsbook set CMP-2026-0016 updates+='{at: 2026-09-21T11:00:00+08:00, by: li.wei, note: called back}'
  opsbook set PLN-2026-0004 tasks.0.status=done
  opsbook set EXP-2026-0027 --unset note`,
		Args: needsID("set", "opsbook set ID… FIELD=VALUE…"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.ids, o.sets = nil, nil
			for _, a := range args {
				if strings.Contains(a, "=") {
					o.sets = append(o.sets, a)
				} else if len(o.sets) > 0 {
					return usageErr("%q: the ids come first, then FIELD=VALUE (opsbook set ID… FIELD=VALUE…)", a)
				} else {
					o.ids = append(o.ids, a)
				}
			}
			if len(o.ids) == 0 {
				return usageErr("set needs the record's id first: opsbook set ID FIELD=VALUE…")
			}
			if len(o.sets) == 0 && len(o.unsets) == 0 {
				return usageErr("nothing to set: give FIELD=VALUE or --unset FIELD")
			}
			o.ids = dedupe(o.ids)
			if o.many(len(o.ids)) {
				return runSetMany(cmd.Context(), o, "set")
			}
			o.id = o.ids[0]
			return runSet(cmd.Context(), o, "set")
		},
	}
	cmd.Flags().StringArrayVar(&o.unsets, "unset", nil, i18n.T("remove `FIELD` (repeatable)"))
	o.writeOpts.bind(cmd)
	o.manyOpts.bind(cmd)
	return cmd
}

// assignLong is the longer help of assign (%d: manyConfirm), keyed in the help catalog.
const assignLong = `Assign sets a complaint's assignee, in any open state. Only a manager or
the director may assign.

Several complaints (ids, or --where EXPR, which selects among complaints) are assigned in one
commit, or none when any one is refused (every refusal is listed; exit 3).
--dry-run judges and shows without writing; a --where selecting more than
%d complaints needs --yes (a terminal asks).`

func newAssignCmd(g *global) *cobra.Command {
	o := &setOpts{global: g}
	cmd := &cobra.Command{
		Use:   "assign <ID>... <HANDLE> | assign complaint --where EXPR <HANDLE>",
		Short: i18n.T("Assign a complaint to a person (a manager's or the director's change)"),
		Long:  i18n.Sprintf(assignLong, manyConfirm),
		Example: `  opsbook assign CMP-2026-0016 li.wei
  opsbook assign CMP-2026-0016 CMP-2026-0017 li.wei
  opsbook assign --where 'assignee = zhou.jie and status != closed' li.wei`,
		Args: needsID("assign", "opsbook assign ID… HANDLE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) < 2 && o.where == "" {
				return usageErr("assign needs the complaint's id and the handle: opsbook assign ID… HANDLE")
			}
			if len(args) == 1 {
				args = append([]string{string(record.Complaint)}, args...) // assign --where EXPR HANDLE
			}
			handle := args[len(args)-1]
			o.ids, o.sets = dedupe(args[:len(args)-1]), []string{"assignee=" + handle}
			if o.many(len(o.ids)) {
				return runSetMany(cmd.Context(), o, "assign "+handle)
			}
			o.id = o.ids[0]
			return runSet(cmd.Context(), o, "assign "+handle)
		},
	}
	o.writeOpts.bind(cmd)
	o.manyOpts.bind(cmd)
	return cmd
}

// runSetMany makes the same set (or assign) on several records (ids, or
// KIND --where EXPR) in one commit, or none.
func runSetMany(ctx context.Context, o *setOpts, action string) error {
	if _, err := o.format(render.Text, render.JSON, render.YAML); err != nil {
		return err
	}
	sets, err := parseSets(o.sets)
	if err != nil {
		return err
	}
	assign := strings.HasPrefix(action, "assign")
	verb := "set"
	if assign {
		verb = "assign"
	}
	sel := selection{ids: o.ids, what: verb}
	if o.where != "" {
		if sel.kind, err = whereKind(o.ids, verb); err != nil {
			return err
		}
	}
	if action == "set" {
		action = setAction(sets, o.unsets)
	}
	o.attemptMany(action)
	s, err := o.session(ctx, o.noCommit)
	if err != nil {
		return err
	}
	defer s.Close()
	defer o.manyProgress(s)()
	recs, err := o.pick(ctx, s, &o.manyOpts, sel)
	if err != nil {
		return err
	}
	if assign {
		var not []string
		for _, rec := range recs {
			if rec.Kind != record.Complaint {
				not = append(not, rec.ID+" ("+string(rec.Kind)+")")
			}
		}
		if len(not) > 0 {
			return usageErr("assign is for complaints; these are not: %s", i18n.Commas(not))
		}
	}
	b, err := s.Sets(recs, sets, o.unsets, action, o.note)
	if err != nil {
		return writeErr(err)
	}
	return o.runMany(ctx, s, b, o.dryRun)
}

func parseSets(args []string) ([]change.Assignment, error) {
	var sets []change.Assignment
	for _, s := range args {
		a, err := change.ParseAssignment(s)
		if err != nil {
			return nil, usage(err)
		}
		sets = append(sets, a)
	}
	return sets, nil
}

// setAction is what the commit says a set did: "set note, due; unset x".
func setAction(sets []change.Assignment, unsets []string) string {
	var parts []string
	var fields []string
	for _, a := range sets {
		fields = append(fields, a.Path)
	}
	if len(fields) > 0 {
		parts = append(parts, "set "+strings.Join(fields, ", "))
	}
	if len(unsets) > 0 {
		parts = append(parts, "unset "+strings.Join(unsets, ", "))
	}
	return strings.Join(parts, "; ")
}

func runSet(ctx context.Context, o *setOpts, action string) error {
	if _, err := o.format(render.Text, render.JSON, render.YAML); err != nil {
		return err
	}
	sets, err := parseSets(o.sets)
	if err != nil {
		return err
	}
	if action == "set" {
		action = setAction(sets, o.unsets)
	}
	o.attemptOne(changeJSON{ID: o.id, Action: action})
	s, rec, err := o.sessionFor(ctx, o.noCommit, o.id)
	if err != nil {
		return err
	}
	defer s.Close()
	o.attemptOne(changeJSON{ID: rec.ID, Path: rec.Path, Action: action})
	if strings.HasPrefix(action, "assign") && rec.Kind != record.Complaint {
		return usageErr("assign is for complaints; %s is a %s (use `opsbook set %s FIELD=VALUE`)", rec.ID, i18n.Term("kind", string(rec.Kind)), rec.ID)
	}
	src, err := record.ReadFile(s.Repo.Root, rec.Path)
	if err != nil {
		return writeErr(err)
	}
	// Fields are set on the record as the actor reads it: encrypted
	// fields in clear where their key opens them (the write encrypts them
	// again, an unchanged one keeping its ciphertext), ‹encrypted›, which
	// may not be changed, elsewhere.
	src, hidden, err := revealForEdit(o.global, s, rec.ID, src, false)
	if err != nil {
		return err
	}
	for _, h := range hidden {
		touched := append([]string(nil), o.unsets...)
		for _, a := range sets {
			touched = append(touched, a.Path)
		}
		for _, p := range touched {
			if p == h.Field || strings.HasPrefix(p, h.Field+".") || strings.HasPrefix(h.Field, p+".") {
				return writeErr(s.NotReader(rec, h.Field))
			}
		}
	}
	data, err := change.ApplyAssignments(src, sets, o.unsets, false)
	var ref *change.Refused
	if errors.As(err, &ref) {
		return writeErr(ref.At(rec))
	}
	if err != nil {
		return writeErr(err)
	}
	res, err := s.Apply(ctx, []change.Edit{{Path: rec.Path, Before: rec, Data: data}}, change.Message{Kind: rec.Kind, ID: rec.ID, Action: action, Note: o.note})
	if err != nil {
		return writeErr(err)
	}
	return o.report(changeJSON{ID: rec.ID, Path: rec.Path, Action: action, Commit: res.Commit, Unchanged: res.Unchanged}, i18n.Sprintf("%s: %s", rec.ID, actionText(action)))
}

// actionText is a change's action ("assign li.wei", "set amount; unset
// note"), which the commit message keeps in English, in the reader's
// language.
func actionText(action string) string {
	parts := strings.Split(action, "; ")
	for i, p := range parts {
		verb, rest, _ := strings.Cut(p, " ")
		if verb == "set" || verb == "unset" {
			// the fields with the reader's comma: satisfaction、prevention
			rest = strings.Join(strings.Split(rest, ", "), i18n.T(", "))
		}
		switch verb {
		case "assign":
			parts[i] = i18n.Sprintf("assign %s", rest)
		case "set":
			parts[i] = i18n.Sprintf("set %s", rest)
		case "unset":
			parts[i] = i18n.Sprintf("unset %s", rest)
		}
	}
	return strings.Join(parts, i18n.T("; "))
}
