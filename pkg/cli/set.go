package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/opsbook/opsbook/pkg/change"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/spf13/cobra"
)

type setOpts struct {
	*global
	writeOpts
	id     string
	sets   []string
	unsets []string
}

func newSetCmd(g *global) *cobra.Command {
	o := &setOpts{global: g}
	cmd := &cobra.Command{
		Use:   "set <ID> FIELD=VALUE... [--unset FIELD]...",
		Short: "Change fields of a record, keeping its comments, and commit",
		Long: `Set changes fields of a record: FIELD is a dotted path (resolution.solution,
items.0.amount), FIELD+=VALUE appends to a list, --unset removes a field.
Comments and layout of the file are kept. The change is validated and
refused (nothing written) when it would break a rule or when the record is
in a final state; status, kind and id change only through move and renumber.`,
		Example: `  opsbook set EXP-2026-0041 amount=1280.50 note="incl. delivery"
  opsbook set CMP-2026-0042 updates+='{at: 2026-09-21T11:00:00+08:00, by: li.wei, note: called back}'
  opsbook set PLN-2026-0004 tasks.0.status=done
  opsbook set EXP-2026-0041 --unset note`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.id, o.sets = args[0], args[1:]
			if len(o.sets) == 0 && len(o.unsets) == 0 {
				return usageErr("nothing to set: give FIELD=VALUE or --unset FIELD")
			}
			return runSet(cmd.Context(), o, "set")
		},
	}
	cmd.Flags().StringArrayVar(&o.unsets, "unset", nil, "remove `FIELD` (repeatable)")
	o.writeOpts.bind(cmd)
	return cmd
}

func newAssignCmd(g *global) *cobra.Command {
	o := &setOpts{global: g}
	cmd := &cobra.Command{
		Use:   "assign <ID> <HANDLE>",
		Short: "Assign a complaint to a person (a manager's or the director's change)",
		Long: `Assign sets a complaint's assignee, in any open state. Only a manager or
the director may assign.`,
		Example: `  opsbook assign CMP-2026-0042 li.wei`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.id, o.sets = args[0], []string{"assignee=" + args[1]}
			return runSet(cmd.Context(), o, "assign "+args[1])
		},
	}
	o.writeOpts.bind(cmd)
	return cmd
}

func runSet(ctx context.Context, o *setOpts, action string) error {
	if _, err := o.format(render.Text, render.JSON, render.YAML); err != nil {
		return err
	}
	var sets []change.Assignment
	for _, s := range o.sets {
		a, err := change.ParseAssignment(s)
		if err != nil {
			return usageErr("%v", err)
		}
		sets = append(sets, a)
	}
	s, rec, err := o.sessionFor(ctx, o.noCommit, o.id)
	if err != nil {
		return err
	}
	defer s.Close()
	if strings.HasPrefix(action, "assign") && rec.Kind != record.Complaint {
		return usageErr("assign is for complaints; %s is a %s (use `opsbook set %s FIELD=VALUE`)", rec.ID, rec.Kind, rec.ID)
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
				return writeErr(change.NotReader(rec.ID, h.Field))
			}
		}
	}
	data, err := change.ApplyAssignments(src, sets, o.unsets, false)
	if err != nil {
		return writeErr(err)
	}
	if action == "set" {
		var parts []string
		var fields []string
		for _, a := range sets {
			fields = append(fields, a.Path)
		}
		if len(fields) > 0 {
			parts = append(parts, "set "+strings.Join(fields, ", "))
		}
		if len(o.unsets) > 0 {
			parts = append(parts, "unset "+strings.Join(o.unsets, ", "))
		}
		action = strings.Join(parts, "; ")
	}
	res, err := s.Apply(ctx, []change.Edit{{Path: rec.Path, Before: rec, Data: data}}, change.Message{Kind: rec.Kind, ID: rec.ID, Action: action, Note: o.note})
	if err != nil {
		return writeErr(err)
	}
	return o.report(changeJSON{ID: rec.ID, Path: rec.Path, Action: action, Commit: res.Commit, Unchanged: res.Unchanged}, fmt.Sprintf("%s: %s", rec.ID, action))
}
