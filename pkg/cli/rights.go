package cli

import (
	"fmt"
	"strings"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/opsbook/opsbook/pkg/workflow"
	"github.com/spf13/cobra"
)

func newRightsCmd(g *global) *cobra.Command {
	return &cobra.Command{
		Use:   "rights KIND",
		Short: i18n.T("Print who may change which fields of a kind, in every state, and its moves"),
		Long: `Rights prints the table every write and verify judge a kind's changes by:
for each field, whether it is edited (by whom, in which states), stamped by
opsbook as part of a move, or a list items are only added to (each new
item's by names the person adding it); a field no row names follows the
"*" rows; a state not listed seals the field. Then the moves and who makes
them. In a repository, its policy picks the tables (expense_review).

Output (-o): text (the default), json, yaml, markdown.`,
		Example: `  opsbook rights expense
  opsbook rights complaint -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := g.format(render.Text, render.JSON, render.YAML, render.Markdown)
			if err != nil {
				return err
			}
			k, err := record.ParseKind(args[0])
			if err != nil {
				return usage(err)
			}
			pol := config.Default()
			if root, err := config.FindRoot(g.dir); err == nil {
				if p, _, err := config.Load(root); err == nil {
					pol = p
				}
			}
			v := workflow.Describe(k, pol)
			switch format {
			case render.JSON:
				return render.WriteJSON(g.io.Out, v)
			case render.YAML:
				return render.WriteYAML(g.io.Out, v)
			}
			fields := &render.Table{Headers: render.Headers("FIELD", "MODE", "STATES", "WHO", "RULE", "NOTE")}
			for _, r := range v.Fields {
				mode := r.Mode
				if r.Value != "" {
					mode += " (" + r.Value + ")"
				}
				states := strings.Join(stateTerms(r.States), ", ")
				if r.Mode == "sealed" {
					states = i18n.T("every")
				}
				fields.Add(r.Field, mode, states, r.Who, r.Rule, r.Note)
			}
			write := func(t *render.Table) error {
				if format == render.Markdown {
					return render.WriteMarkdown(g.io.Out, t)
				}
				return render.WriteTable(g.io.Out, t, g.io.OutTTY)
			}
			if err := write(fields); err != nil {
				return err
			}
			bullet := ""
			if format == render.Markdown {
				bullet = "- "
				if len(v.Hints) > 0 {
					fmt.Fprintln(g.io.Out)
				}
			}
			for _, s := range v.States {
				if h := v.Hints[s]; h != "" {
					fmt.Fprintf(g.io.Out, "%s%s: %s\n", bullet, i18n.Term("state", s), h)
				}
			}
			if len(v.Moves) == 0 {
				return nil
			}
			fmt.Fprintln(g.io.Out)
			moves := &render.Table{Headers: render.Headers("FROM", "TO", "VERB", "WHO", "NEVER", "NOTE")}
			for _, m := range v.Moves {
				moves.Add(i18n.Term("state", m.From), i18n.Term("state", m.To), m.Verb, m.Who, strings.Join(m.Never, ", "), m.Note)
			}
			return write(moves)
		},
	}
}

// stateTerms are states in the reader's language.
func stateTerms(states []string) []string {
	out := make([]string, len(states))
	for i, s := range states {
		out[i] = i18n.Term("state", s)
	}
	return out
}
