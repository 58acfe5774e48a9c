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

// rightsLong is the longer help of rights, keyed in the help catalog.
const rightsLong = `Rights prints the table every write and verify judge a kind's changes by:
for each field, whether it is edited (by whom, in which states), stamped by
opsbook as part of a move, or a list items are only added to (each new
item's by names the person adding it); a field no row names follows the
"*" rows; a state not listed seals the field. Then the moves and who makes
them. In a repository, its policy picks the tables (expense_review).

Output (-o): text (the default), json, yaml, markdown.`

func newRightsCmd(g *global) *cobra.Command {
	return &cobra.Command{
		Use:   "rights KIND",
		Short: i18n.T("Print who may change which fields of a kind, in every state, and its moves"),
		Long:  i18n.T(rightsLong),
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
			// on a terminal the table fits its width; the notes and who may act
			// are wrapped, read whole, rather than cut
			fields := &render.Table{Headers: render.Headers("FIELD", "MODE", "STATES", "WHO", "RULE", "NOTE"), Wrap: map[int]bool{2: true, 3: true, 5: true}}
			for _, r := range v.Fields {
				mode := i18n.Term("mode", r.Mode)
				if r.Value != "" {
					// what the move writes, in words: today, the state left, …
					mode = i18n.Sprintf("%s (%s)", mode, i18n.Term("stamped", r.Value))
				}
				states := strings.Join(stateTerms(r.States), i18n.T(", "))
				if r.Mode == "sealed" {
					states = i18n.T("every")
				}
				fields.Add(r.Field, mode, states, whoText(r), r.Rule, i18n.Term("note", r.Note))
			}
			write := func(t *render.Table) error {
				if format == render.Markdown {
					return render.WriteMarkdown(g.io.Out, t)
				}
				return render.WriteTableWidth(g.io.Out, t, g.io.OutTTY, g.io.Width)
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
					line := bullet + i18n.Sprintf("%s: %s", i18n.Term("state", s), i18n.Term("note", h))
					if format == render.Text {
						line = render.WrapLines(line, g.textWidth()) // a terminal's width; piped, whole
					}
					fmt.Fprintln(g.io.Out, line)
				}
			}
			if len(v.Moves) == 0 {
				return nil
			}
			fmt.Fprintln(g.io.Out)
			moves := &render.Table{Headers: render.Headers("FROM", "TO", "VERB", "WHO", "NEVER", "NOTE"), Wrap: map[int]bool{3: true, 4: true, 5: true}}
			for _, m := range v.Moves {
				never := strings.Join(m.Never, ", ")
				if i18n.IsChinese() {
					var ns []string
					for _, f := range m.Never {
						ns = append(ns, partyTerm(f))
					}
					never = strings.Join(ns, i18n.T(", "))
				}
				moves.Add(i18n.Term("state", m.From), i18n.Term("state", m.To), m.Verb, whoOf(m.Who, m.Roles, m.Parties, nil), never, i18n.Term("note", m.Note))
			}
			return write(moves)
		},
	}
}

// whoText is a right's WHO in the reader's language: the English words
// the rights tables give, or in Chinese the parties and roles as terms.
func whoText(r workflow.RightRow) string {
	if !i18n.IsChinese() {
		return r.Who
	}
	switch r.Mode {
	case "stamp":
		return i18n.T("opsbook, by the move")
	case "sealed":
		return i18n.T("nobody")
	}
	return whoOf(r.Who, r.Roles, r.Parties, r.Never)
}

// whoOf is english (the rights tables' words) in English, and in Chinese
// the parties and roles as terms, with the people never holding it.
func whoOf(english string, roles, parties, never []string) string {
	if !i18n.IsChinese() {
		return english
	}
	var parts []string
	for _, f := range parties {
		parts = append(parts, partyTerm(f))
	}
	if len(roles) == len(workflow.Roles) {
		parts = append(parts, i18n.T("any active person"))
	} else {
		for _, role := range roles {
			parts = append(parts, i18n.Term("role", role))
		}
	}
	who := orList(parts)
	if len(never) > 0 {
		var ns []string
		for _, f := range never {
			ns = append(ns, partyTerm(f))
		}
		who += i18n.Sprintf(", never %s", orList(ns))
	}
	return who
}

// orList lists alternatives as a refusal lists who may: "a or b", "a, b
// or c" (經理、總監或公司高層).
func orList(items []string) string {
	if len(items) < 3 {
		return i18n.JoinStrings(i18n.P(" or "), items)
	}
	return i18n.P("%s or %s", i18n.Join(i18n.P(", "), anyOf(items[:len(items)-1])...), items[len(items)-1]).String()
}

func anyOf(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// partyTerm names a party field ("claimant", "tasks.*.assignee") as a
// term: its last part.
func partyTerm(f string) string {
	if f == "person" { // a violation's: the person the case concerns
		return i18n.T("the person concerned")
	}
	if list, field, ok := strings.Cut(f, ".*."); ok {
		// a list item's party: the item's, 與會者·人員 (an attendee's
		// person is no person concerned)
		return i18n.Term("field", list) + "·" + i18n.Term("field", field)
	}
	return i18n.Term("field", f)
}

// stateTerms are states in the reader's language.
func stateTerms(states []string) []string {
	out := make([]string, len(states))
	for i, s := range states {
		out[i] = i18n.Term("state", s)
	}
	return out
}
