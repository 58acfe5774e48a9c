package cli

import (
	"encoding/json"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/opsbook/opsbook/pkg/schema"
	"github.com/spf13/cobra"
)

// schemaLong is the longer help of schema, keyed in the help catalog.
const schemaLong = `Schema prints the JSON Schema (draft 2020-12) a kind of record is checked
against; "common" holds the shared definitions and "policy" the schema of
.opsbook.yaml. In a repository, the category lists in "common"
(expenseCategory, complaintCategory) are the policy's; elsewhere the defaults.

Output (-o): json (the default), yaml.`

func newSchemaCmd(g *global) *cobra.Command {
	return &cobra.Command{
		Use:   "schema {KIND|common|policy}",
		Short: i18n.T("Print the JSON Schema of a kind of record"),
		Long:  i18n.T(schemaLong),
		Example: `  opsbook schema expense
  opsbook schema common -o yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := g.format(render.Text, render.JSON, render.YAML)
			if err != nil {
				return err
			}
			name := args[0]
			if name != "common" && name != "policy" {
				k, err := record.ParseKind(name)
				if err != nil {
					return usage(err)
				}
				name = string(k)
			}
			b, err := schema.Raw(name)
			if err != nil {
				return err
			}
			if name == "common" {
				pol := config.Default()
				if root, err := config.FindRoot(g.dir); err == nil {
					if p, _, err := config.Load(root); err == nil {
						pol = p
					}
				}
				if b, err = schema.WithCategories(b, pol.ExpenseCategories, pol.ComplaintCategories); err != nil {
					return err
				}
			}
			if format == render.YAML {
				var v any
				if err := json.Unmarshal(b, &v); err != nil {
					return err
				}
				return render.WriteYAML(g.io.Out, v)
			}
			_, err = g.io.Out.Write(b)
			return err
		},
	}
}
