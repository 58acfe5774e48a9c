package cli

import (
	"github.com/opsbook/opsbook/pkg/audit"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/spf13/cobra"
)

// codeownersLong is the longer help of codeowners, keyed in the help catalog.
const codeownersLong = `Codeowners writes a CODEOWNERS file (GitHub and GitLab read the same
syntax) so that the forge asks the right people to review a pull request:
each kind's record folder is owned by the forge handles (a person's forge
field) of the active people whose roles review it, for example
records/expenses/ by the managers, the director and leadership (and a
record's attachments/ID/ folder like its kind's records);
records/people/, .opsbook.yaml, CODEOWNERS and the CI configuration by the
director and leadership. People without a forge handle are listed in a
comment. Regenerate it whenever people change.

The file is written to standard output, or to FILE with -o FILE.`

func newCodeownersCmd(g *global) *cobra.Command {
	return &cobra.Command{
		Use:   "codeowners [-o FILE]",
		Short: i18n.T("Write a CODEOWNERS file from the people records"),
		Long:  i18n.T(codeownersLong),
		Example: `  opsbook codeowners -o .github/CODEOWNERS
  opsbook codeowners -o .gitlab/CODEOWNERS`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRegistryFile(cmd.Context(), g, audit.Codeowners)
		},
	}
}
