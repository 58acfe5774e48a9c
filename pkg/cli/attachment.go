package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/opsbook/opsbook/pkg/attach"
	"github.com/opsbook/opsbook/pkg/crypt"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/opsbook/opsbook/pkg/rules"
	"github.com/spf13/cobra"
)

type attachmentRow struct {
	Path      string `json:"path"`
	SHA256    string `json:"sha256"`
	Encrypted bool   `json:"encrypted"`
	// Status: ok, missing, hash (the file differs from the listed hash),
	// unreadable (a link, a folder).
	Status string `json:"status"`
}

// attachmentLong is the longer help of attachment, keyed in the help
// catalog.
const attachmentLong = `Attachment without PATH lists the files the record lists, with their
SHA-256, whether each is encrypted (.age) and whether the file in the work
tree has the listed hash.

With PATH (the listed path, or the file's name, with or without .age) it
gives the file's clear bytes: an encrypted attachment is opened with your
own key (OPSBOOK_IDENTITY, ~/.ssh/id_ed25519, ~/.ssh/id_rsa), and refused
(exit 3) when you are not among its readers. The file must have the hash
the record lists (exit 1 otherwise: it changed after it was attached).
The clear bytes go to standard output only when that is not a terminal (a
pipe, a redirection); otherwise, and with --save, to a new file readable
only by you (0600), never over an existing one and never inside the
repository's work tree (where git add -A would commit the clear file).

Output (-o) of the list: text, json, yaml.`

func newAttachmentCmd(g *global) *cobra.Command {
	var save string
	cmd := &cobra.Command{
		Use:   "attachment <ID> [PATH]",
		Short: i18n.T("List a record's attachments, or give one in clear (an encrypted one opens with your key)"),
		Long:  i18n.T(attachmentLong),
		Example: `  opsbook attachment VIO-2026-0001
  opsbook attachment VIO-2026-0001 mail-log.txt > mail-log.txt
  opsbook attachment VIO-2026-0001 mail-log.txt --save /tmp/mail-log.txt`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			format, r, rec, err := g.openRecord(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if len(args) == 1 {
				return listAttachments(g, format, r.Root, rec)
			}
			return giveAttachment(g, r.Root, rec, args[1], save)
		},
	}
	cmd.Flags().StringVar(&save, "save", "", i18n.T("write the clear file to `FILE` (a new file, mode 0600)"))
	return cmd
}

func attachmentRows(root string, rec *record.Record) []attachmentRow {
	rows := []attachmentRow{}
	for _, e := range rules.Listed(rec) {
		row := attachmentRow{Path: e.Path, SHA256: e.SHA256, Encrypted: crypt.IsEncryptedPath(e.Path), Status: "ok"}
		switch st := attach.Stat(root, e.Path); {
		case attach.CheckPath(e.Path) != nil:
			row.Status = "unreadable"
		case st == attach.Missing:
			row.Status = "missing"
		case st != attach.Regular:
			row.Status = "unreadable"
		default:
			if sum, err := attach.Sum(root, e.Path); err != nil {
				row.Status = "unreadable"
			} else if sum != strings.ToLower(e.SHA256) {
				row.Status = "hash"
			}
		}
		rows = append(rows, row)
	}
	return rows
}

func listAttachments(g *global, format render.Format, root string, rec *record.Record) error {
	rows := attachmentRows(root, rec)
	switch format {
	case render.JSON:
		return render.WriteJSON(g.io.Out, rows)
	case render.YAML:
		return render.WriteYAML(g.io.Out, rows)
	}
	if len(rows) == 0 {
		fmt.Fprintln(g.io.Out, i18n.Sprintf("%s lists no attachments", rec.ID))
		return nil
	}
	var fs []render.Field
	for _, row := range rows {
		v := row.SHA256
		if row.Encrypted {
			v += "  " + i18n.T("‹encrypted›: opens with a reader's key")
		}
		switch row.Status {
		case "missing":
			v += "  " + i18n.T("(missing)")
		case "hash":
			v += "  " + i18n.T("(the file differs from this hash)")
		case "unreadable":
			v += "  " + i18n.T("(not a regular file)")
		}
		fs = append(fs, render.Field{Label: row.Path, Value: v})
	}
	fmt.Fprintf(g.io.Out, "%s  %s\n\n", rec.ID, rec.Title())
	return render.WriteFields(g.io.Out, fs, "  ", 0) // a hash is never broken
}

// findListed finds the entry PATH names: the listed path, or the file's
// name with or without .age.
func findListed(rec *record.Record, p string) (attach.Entry, bool) {
	for _, by := range []func(attach.Entry) bool{
		func(e attach.Entry) bool { return e.Path == p },
		func(e attach.Entry) bool { return path.Base(e.Path) == p },
		func(e attach.Entry) bool { return path.Base(e.Path) == p+crypt.FileExt },
	} {
		for _, e := range rules.Listed(rec) {
			if by(e) {
				return e, true
			}
		}
	}
	return attach.Entry{}, false
}

func giveAttachment(g *global, root string, rec *record.Record, p, save string) error {
	e, ok := findListed(rec, p)
	if !ok {
		return usageErr("%s lists no attachment %s (opsbook attachment %s lists them)", rec.ID, p, rec.ID)
	}
	if err := attach.CheckPath(e.Path); err != nil {
		return usageErr("%s: %v", rec.ID, err)
	}
	data, err := attach.Read(root, e.Path, crypt.MaxFile*2)
	if err != nil {
		return &ExitError{ExitFindings, i18n.Errorf("attachment %s of %s cannot be read: %v", e.Path, rec.ID, err)}
	}
	if sum := attach.SumBytes(data); sum != strings.ToLower(e.SHA256) {
		return &ExitError{ExitFindings, i18n.Errorf("attachment %s has SHA-256 %s, not the %s %s lists: the file changed after it was attached; nothing was given [attachment-hash]", e.Path, sum, e.SHA256, rec.ID)}
	}
	clear := data
	if crypt.IsEncryptedPath(e.Path) {
		clear, err = g.identity().OpenFile(data)
		if errors.Is(err, crypt.ErrNotReader) {
			return refused(i18n.Errorf("refused: attachment %s of %s is encrypted and you cannot read it (you are not among its readers, or your key is not at hand: %s, ~/.ssh/id_ed25519)", e.Path, rec.ID, crypt.IdentityEnv))
		}
		if err != nil {
			return &ExitError{ExitFindings, i18n.Errorf("attachment %s of %s: %v", e.Path, rec.ID, err)}
		}
	}
	if save == "" && !g.io.OutTTY {
		_, err := g.io.Out.Write(clear)
		return err
	}
	named := save != ""
	if !named {
		save = strings.TrimSuffix(path.Base(e.Path), crypt.FileExt)
	}
	// The clear bytes of an encrypted file never land in the work tree,
	// where `git add -A` would commit them.
	if crypt.IsEncryptedPath(e.Path) && insideRepo(root, save) {
		if named {
			return usageErr("%s is inside the repository, where git add would commit the clear file: save it outside (--save ~/%s)", save, filepath.Base(save))
		}
		return usageErr("standard output is a terminal and this folder is inside the repository, where git add would commit the clear file: save it outside (--save ~/%s) or redirect (> ~/%s)", save, save)
	}
	if err := writeNew(save, clear); errors.Is(err, fs.ErrExist) {
		return usageErr("%s already exists (it is never written over): choose another file with --save FILE", save)
	} else if err != nil {
		return usageErr("%v: choose another file with --save FILE", err)
	}
	fmt.Fprintln(g.io.Err, i18n.Plural(len(clear), "%s: %d byte written to %s (readable only by you)", "%s: %d bytes written to %s (readable only by you)", e.Path, len(clear), save))
	return nil
}

// writeNew writes data to a new file of mode 0600, never over an existing
// one (nor through a link); a file left half-written is removed.
func writeNew(name string, data []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
	}
	return err
}

// insideRepo reports whether the file name lies in the repository's work
// tree (links on the way resolved).
func insideRepo(root, name string) bool {
	abs, err := filepath.Abs(name)
	if err != nil {
		return true
	}
	dir := filepath.Dir(abs)
	if d, err := filepath.EvalSymlinks(dir); err == nil {
		dir = d
	}
	if r, err := filepath.EvalSymlinks(root); err == nil {
		root = r
	}
	rel, err := filepath.Rel(root, dir)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
