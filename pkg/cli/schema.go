package cli

import (
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/schema"
	"github.com/spf13/cobra"
)

func newSchemaCmd(g *global) *cobra.Command {
	return &cobra.Command{
		Use:   "schema {KIND|common|policy}",
		Short: "Print the JSON Schema of a kind of record",
		Long: `Schema prints the JSON Schema (draft 2020-12) a kind of record is checked
against; "common" holds the shared definitions and "policy" the schema of
.opsbook.yaml. Categories are filled in from the policy when checking.`,
		Example: `  opsbook schema expense
  opsbook schema policy`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if name != "common" && name != "policy" {
				k, err := record.ParseKind(name)
				if err != nil {
					return usageErr("%v", err)
				}
				name = string(k)
			}
			b, err := schema.Raw(name)
			if err != nil {
				return err
			}
			_, err = g.io.Out.Write(b)
			return err
		},
	}
}
