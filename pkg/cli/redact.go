package cli

import (
	"github.com/spf13/cobra"

	"github.com/opsbook/opsbook/pkg/i18n"
)

// addRedactFlag gives a command --redact: output meant to
// leave the department hides confidential records and fields. What is
// hidden is decided by query.Redact.
func addRedactFlag(cmd *cobra.Command, p *bool) {
	cmd.Flags().BoolVar(p, "redact", false, i18n.T(`hide confidential records and fields ("[redacted]"), for output that leaves the department`))
}
