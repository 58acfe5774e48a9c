package cli

import (
	"context"
	"fmt"

	"github.com/opsbook/opsbook/pkg/change"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/spf13/cobra"
)

type attachOpts struct {
	*global
	writeOpts
}

// attachLong is the longer help of attach, keyed in the help catalog.
const attachLong = `Attach copies each FILE into attachments/ID/ (keeping its name), adds its
path and SHA-256 to the record's attachments list, and commits the record and
the files together. A file already there with other content is never
overwritten (rename the new one); a symbolic link is refused, not followed.
Name the attached path in a field (receipt, items.N.receipt,
feasibility.report, closure.report) with opsbook set as usual.
Attaching is an edit of the record: whoever may edit it in its state may
attach, and a sealed record's listed file is never replaced.

When the policy encrypts the record's attachments (encrypt.KIND.attachments),
each FILE is stored as FILE.age, encrypted for the record's readers: the
clear bytes never reach the work tree or git. opsbook attachment ID FILE
gives it back to a reader.`

func newAttachCmd(g *global) *cobra.Command {
	o := &attachOpts{global: g}
	cmd := &cobra.Command{
		Use:   "attach <ID> <FILE>...",
		Short: i18n.T("Attach files to a record: copy them under attachments/ID/, list them with their SHA-256, commit"),
		Long:  i18n.T(attachLong),
		Example: `  opsbook attach EXP-2026-0027 ~/scans/train.pdf ~/scans/hotel.pdf
  opsbook set EXP-2026-0027 items.0.receipt=attachments/EXP-2026-0027/train.pdf`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAttach(cmd.Context(), o, args[0], args[1:])
		},
	}
	o.writeOpts.bind(cmd)
	return cmd
}

func runAttach(ctx context.Context, o *attachOpts, id string, files []string) error {
	if _, err := o.format(render.Text, render.JSON, render.YAML); err != nil {
		return err
	}
	sources, err := change.ReadSources(files)
	if err != nil {
		return writeErr(err)
	}
	o.sayRenamed(sources)
	o.attemptOne(changeJSON{ID: id, Action: "attach"})
	s, rec, err := o.sessionFor(ctx, o.noCommit, id)
	if err != nil {
		return err
	}
	defer s.Close()
	o.attemptOne(changeJSON{ID: rec.ID, Path: rec.Path, Action: "attach"})
	src, err := record.ReadFile(s.Repo.Root, rec.Path)
	if err != nil {
		return writeErr(err)
	}
	edits, err := change.AttachEdits(s, rec, rec.Path, rec.ID, src, sources)
	if err != nil {
		return writeErr(err)
	}
	res, err := s.Apply(ctx, edits, change.Message{Kind: rec.Kind, ID: rec.ID, Action: "attach", Note: o.note})
	if err != nil {
		return writeErr(err)
	}
	return o.report(changeJSON{ID: rec.ID, Path: rec.Path, Paths: res.Paths, Action: "attach", Commit: res.Commit, Unchanged: res.Unchanged}, rec.ID)
}

// sayRenamed tells, on standard error, of each file attached under another
// name than its own (change.AttachName: spaces become "-").
func (g *global) sayRenamed(sources []change.Source) {
	for _, so := range sources {
		if so.Renamed() {
			fmt.Fprintln(g.io.Err, i18n.Sprintf("%s is attached as %s (a space in a file name becomes -)", so.From, so.Name))
		}
	}
}
