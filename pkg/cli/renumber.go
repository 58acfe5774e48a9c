package cli

import (
	"github.com/opsbook/opsbook/pkg/change"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/spf13/cobra"
)

// renumberLong is the longer help of renumber, keyed in the help catalog.
const renumberLong = `Renumber moves the record OLD to the id NEW (same kind and year) and rewrites
every reference to OLD in every record, in one commit. Use it when two
branches allocated the same id: on the branch that merges second, renumber
its record to the next free id before merging.`

func newRenumberCmd(g *global) *cobra.Command {
	o := &struct{ writeOpts }{}
	cmd := &cobra.Command{
		Use:     "renumber <OLD> <NEW>",
		Short:   i18n.T("Move a record to a new id and rewrite every reference to it, in one commit"),
		Long:    i18n.T(renumberLong),
		Example: `  opsbook renumber EXP-2026-0027 EXP-2026-0099`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := g.format(render.Text, render.JSON, render.YAML); err != nil {
				return err
			}
			ctx := cmd.Context()
			g.attemptOne(changeJSON{ID: args[1], Action: "renumber"})
			s, err := g.session(ctx, o.noCommit)
			if err != nil {
				return err
			}
			defer s.Close()
			if rec, err := s.Find(args[0]); err == nil {
				g.attemptOne(changeJSON{ID: args[1], Path: rec.Path, Action: "renumber"})
			}
			edits, err := change.RenumberEdits(s, args[0], args[1])
			if err != nil {
				return writeErr(err)
			}
			moved := edits[0]
			for _, e := range edits {
				if e.Before != nil && e.Before.ID == args[0] && e.Data != nil {
					moved = e
				}
			}
			rec := moved.Before
			g.attemptOne(changeJSON{ID: args[1], Path: moved.Path, Action: "renumber"})
			res, err := s.Apply(ctx, edits, change.Message{Kind: rec.Kind, ID: args[1], Action: "renumber from " + args[0], Note: o.note, Mechanical: true})
			if err != nil {
				return writeErr(err)
			}
			// The record's move counts once, though it removes one path and
			// adds another.
			return g.report(changeJSON{ID: args[1], Path: moved.Path, Paths: res.Paths, Action: "renumber", Commit: res.Commit, Unchanged: res.Unchanged},
				i18n.Plural(len(res.Paths)-1, "%s → %s (%d record rewritten)", "%s → %s (%d records rewritten)", args[0], args[1], len(res.Paths)-1))
		},
	}
	o.writeOpts.bind(cmd)
	return cmd
}
