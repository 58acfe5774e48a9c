package cli

import (
	"context"
	"fmt"
	"github.com/opsbook/opsbook/pkg/render"
	"os"
	"path/filepath"

	"github.com/opsbook/opsbook/pkg/audit"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/spf13/cobra"
)

type allowedSignersOpts struct{ *global }

// allowedSignersLong is the longer help of allowed-signers, keyed in the help catalog.
const allowedSignersLong = `Allowed-signers writes the file git's gpg.ssh.allowedSignersFile names:
every SSH key registered in a person's keys, once for each of their emails,
in namespace "git". With it, git log --show-signature and git verify-commit
trust exactly the keys opsbook verify does. OpenPGP keys are listed in
comments only (import them into gpg).

The file is written to standard output, or to FILE with -o FILE.`

func newAllowedSignersCmd(g *global) *cobra.Command {
	o := &allowedSignersOpts{g}
	return &cobra.Command{
		Use:   "allowed-signers [-o FILE]",
		Short: i18n.T("Write git's allowed-signers file from the people records"),
		Long:  i18n.T(allowedSignersLong),
		Example: `  opsbook allowed-signers -o .git/allowed_signers
  git config gpg.ssh.allowedSignersFile .git/allowed_signers
  git log --show-signature`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRegistryFile(cmd.Context(), o.global, audit.AllowedSigners)
		},
	}
}

// runRegistryFile writes a file made from the work tree's people registry
// to standard output or, for these commands, to the file -o names.
func runRegistryFile(ctx context.Context, g *global, build func(*audit.Rules) string) error {
	r, err := g.open(ctx)
	if err != nil {
		return err
	}
	text := build(audit.NewRules(r.Policy, r.Set.OfKind(record.Person)))
	if g.output == "" || g.output == "-" {
		_, err = fmt.Fprint(g.io.Out, text)
		return err
	}
	switch render.Format(g.output) {
	case render.Text, render.JSON, render.YAML, render.CSV, render.Markdown, render.GitHub, "table":
		// -o is this command's FILE; the name of a format is a mistake, not
		// a file to write in the current folder
		return usageErr("-o %s names an output format; these commands write one text only, to standard output or to the FILE -o names (give a path, like ./%s)", g.output, g.output)
	}
	file := g.output
	if !filepath.IsAbs(file) {
		file = filepath.Join(g.dir, file) // as if started in -C DIR
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return &ExitError{ExitUsage, i18n.Errorf("writing %s: %w", g.output, err)}
	}
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		return &ExitError{ExitUsage, i18n.Errorf("writing %s: %w", g.output, err)}
	}
	return nil
}
