package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/opsbook/opsbook/pkg/change"
	"github.com/opsbook/opsbook/pkg/crypt"
	"github.com/opsbook/opsbook/pkg/gitstore"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/opsbook/opsbook/pkg/workflow"
	"github.com/spf13/cobra"
)

type editOpts struct {
	*global
	writeOpts
	id string
}

// editLong is the longer help of edit, keyed in the help catalog.
const editLong = `Edit opens the record's file in $VISUAL or $EDITOR (vi when neither is set).
When you save and quit, the record is validated; if it is not valid, the
errors are shown at the top of the file and the editor opens again (quit
without changing anything to give up). An unchanged file means no commit.
A status change made in the editor is judged as a workflow move. Lines
starting with #| are opsbook's and are removed when you save.`

func newEditCmd(g *global) *cobra.Command {
	o := &editOpts{global: g}
	cmd := &cobra.Command{
		Use:   "edit <ID>",
		Short: i18n.T("Edit a record in your editor; it is validated and committed when you save"),
		Long:  i18n.T(editLong),
		Example: `  opsbook edit EXP-2026-0027
  EDITOR=nano opsbook edit CMP-2026-0016`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.id = args[0]
			return runEdit(cmd.Context(), o)
		},
	}
	o.writeOpts.bind(cmd)
	return cmd
}

func runEdit(ctx context.Context, o *editOpts) error {
	if _, err := o.format(render.Text, render.JSON, render.YAML); err != nil {
		return err
	}
	o.attemptOne(changeJSON{ID: o.id, Action: "edit"})
	s, rec, err := o.sessionFor(ctx, o.noCommit, o.id)
	if err != nil {
		return err
	}
	defer s.Close()
	o.attemptOne(changeJSON{ID: rec.ID, Path: rec.Path, Action: "edit"})
	src, err := record.ReadFile(s.Repo.Root, rec.Path)
	if err != nil {
		return writeErr(err)
	}
	msg := change.Message{Kind: rec.Kind, ID: rec.ID, Action: "edit", Note: o.note}
	// Encrypted fields are edited in clear where you can read them, and
	// as ‹encrypted› where you cannot; saving encrypts them again (an
	// unchanged value keeps its ciphertext).
	if src, _, err = revealForEdit(o.global, s, rec.ID, src, true); err != nil {
		return err
	}
	data, err := editLoop(ctx, o.global, s, rec.Path, rec, src, msg)
	if err != nil {
		return err
	}
	if data == nil || bytes.Equal(data, src) {
		fmt.Fprintln(o.io.Err, i18n.T("no changes: nothing committed"))
		return nil
	}
	// A status changed in the editor is a workflow move, and is recorded as
	// one (the workflow has judged it as one).
	out := changeJSON{ID: rec.ID, Path: rec.Path, Action: "edit"}
	text := i18n.Sprintf("%s: edited", rec.ID)
	if after, _ := record.Parse(rec.Path, data); after != nil && after.Status() != rec.Status() {
		out.From, out.To = rec.Status(), after.Status()
		msg.Action = "move to " + out.To
		out.Action = msg.Action
		text = i18n.Sprintf("%s: %s → %s (and edited)", rec.ID, i18n.Term("state", out.From), i18n.Term("state", out.To))
	}
	o.attemptOne(out)
	res, err := s.Apply(ctx, []change.Edit{{Path: rec.Path, Before: rec, Data: data}}, msg)
	if err != nil {
		return writeErr(err)
	}
	out.Commit, out.Unchanged = res.Commit, res.Unchanged
	return o.report(out, text)
}

// maxScriptedEdits is how often an edit without a terminal (a script as the
// editor) is reopened on an invalid record before it gives up.
const maxScriptedEdits = 5

// editLoop opens data in the user's editor until the result passes Check,
// or is unchanged (nil: given up). Validation errors are shown as comments
// at the top of the file, like kubectl edit.
func editLoop(ctx context.Context, g *global, s *change.Session, path string, before *record.Record, data []byte, msg change.Message) ([]byte, error) {
	editor := g.io.Getenv("VISUAL")
	if editor == "" {
		editor = g.io.Getenv("EDITOR")
	}
	if editor == "" {
		editor = "vi"
	}
	for _, f := range staleEditDirs(true) {
		fmt.Fprintf(g.io.Err, "opsbook: %s %s: %s [%s]\n", i18n.T("repaired"), f.Path, f.Human(), f.Code)
	}
	dir, err := os.MkdirTemp("", editDirPrefix)
	if err != nil {
		return nil, err
	}
	// The folder holds the record as you read it, encrypted fields in
	// clear: it names this process, so that once the process is gone
	// without removing it (kill -9) the next edit or doctor does.
	if err := markEditDir(dir); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	tmp := filepath.Join(dir, filepath.Base(path))
	// What the user typed is never thrown away: when the edit ends without
	// a commit (given up on an invalid record, the editor failed or was
	// stopped) and the text differs from the record, the file is kept and
	// named.
	keep := false
	defer func() {
		if !keep {
			os.RemoveAll(dir)
		}
	}()
	keepTyped := func() {
		if typed, err := os.ReadFile(tmp); err == nil && !bytes.Equal(stripBanner(typed), data) {
			keep = true
			// yours now: named to you, never swept
			os.Remove(filepath.Join(dir, editOwnerFile))
			fmt.Fprintln(g.io.Err, i18n.Sprintf(msgEditKept, tmp))
		}
	}
	shown := data
	var last error
	for round := 1; ; round++ {
		if err := os.WriteFile(tmp, shown, 0o600); err != nil {
			return nil, err
		}
		cmd := exec.CommandContext(ctx, "sh", "-c", editor+` "$1"`, "editor", tmp)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = g.io.In, g.io.Out, g.io.Err
		if err := cmd.Run(); err != nil {
			keepTyped()
			var exit *exec.ExitError
			if errors.As(err, &exit) && exit.ExitCode() > 0 {
				return nil, usageErr("editor %q failed with exit status %d; nothing was changed", editor, exit.ExitCode())
			}
			return nil, usageErr("editor %q failed: %v; nothing was changed", editor, err)
		}
		edited, err := os.ReadFile(tmp)
		if err != nil {
			return nil, err
		}
		if bytes.Equal(edited, shown) {
			if last != nil {
				var ref *change.Refused
				if errors.As(last, &ref) && ref.Invalid {
					fmt.Fprintln(g.io.Err, i18n.T("the record is still not valid and was left unchanged in the editor: nothing was changed"))
				} else {
					// a rule's refusal (a final state, a sealed field, a move
					// not yours), not the record's values
					fmt.Fprintln(g.io.Err, i18n.T("the change is still refused and was left unchanged in the editor: nothing was changed"))
				}
				keepTyped()
				return nil, writeErr(last)
			}
			return nil, nil
		}
		clean := stripBanner(edited)
		err = s.Check([]change.Edit{{Path: path, Before: before, Data: clean}}, msg)
		if err == nil {
			return clean, nil
		}
		var ref *change.Refused
		var wr *workflow.Refusal
		if !errors.As(err, &ref) && !errors.As(err, &wr) {
			return nil, writeErr(err)
		}
		last = err
		fmt.Fprintln(g.io.Err, err)
		if !g.io.InTTY && round >= maxScriptedEdits {
			// No one at a terminal: a script as the editor that never
			// gives a valid record would be reopened for ever.
			fmt.Fprintln(g.io.Err, i18n.Sprintf(msgEditGaveUp, round))
			keepTyped()
			return nil, writeErr(err)
		}
		banner := errorBanner(path, err)
		shown = append([]byte(banner), clean...)
	}
}

// An edit's temporary folder, $TMPDIR/opsbook-edit-N, holds the record
// being edited and editOwnerFile, the process editing it (gitstore.Owner).
const (
	editDirPrefix = "opsbook-edit-"
	editOwnerFile = ".opsbook-edit-owner"
)

func markEditDir(dir string) error {
	data, err := json.Marshal(gitstore.Self())
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, editOwnerFile), data, 0o600)
}

// staleEditDirs finds (and with fix removes) the temporary folders of
// edits whose process is gone without removing them (killed with kill
// -9, or a power cut): each holds a record as its reader saw it,
// encrypted fields in clear. A folder an edit kept on purpose (what you
// typed, named on stderr) names no process and is left alone, and so is a
// running edit's.
func staleEditDirs(fix bool) []change.Finding {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), editDirPrefix+"*"))
	var out []change.Finding
	for _, d := range dirs {
		data, err := os.ReadFile(filepath.Join(d, editOwnerFile))
		if err != nil {
			continue
		}
		var o gitstore.Owner
		if json.Unmarshal(data, &o) != nil || o.PID <= 0 || !o.Gone() {
			continue
		}
		msg, text := i18n.Both("temporary folder of an edit by %s, which is no longer running (it holds the record as read, encrypted fields in clear)", o.Phrase())
		f := change.Finding{Code: change.CodeLeftoverTemp, Path: d, Message: msg, Text: text}
		if fix {
			f.Repaired = os.RemoveAll(d) == nil
		}
		out = append(out, f)
	}
	return out
}

// The error block editLoop puts on top of the file. Every line of it
// starts with bannerPrefix, it opens and closes with fixed marker lines, and
// stripBanner removes it by that structure, not by its text: an editor's
// search and replace that rewrote the messages cannot make opsbook keep
// them as the user's comments or commit them.
const (
	bannerPrefix = "#|"
	bannerStart  = "#| ---- opsbook ----"
	bannerEnd    = "#| ---- end ----"
)

// errorBanner renders err as the block shown above the record. Positions in
// the edited file are given as lines of the file as shown, banner included,
// so the editor's own line numbers find them.
func errorBanner(path string, err error) string {
	var msgs []string
	var ref *change.Refused
	if errors.As(err, &ref) && len(ref.Diagnostics) > 0 {
		msgs = append(msgs, ref.Human())
		for _, d := range ref.Diagnostics {
			msgs = append(msgs, "\x00"+d.String())
		}
	} else {
		msgs = strings.Split(strings.TrimRight(err.Error(), "\n"), "\n")
	}
	head := []string{
		bannerStart,
		bannerPrefix + " " + i18n.T(msgEditInvalid),
		bannerPrefix + " " + i18n.T(msgEditBannerLines),
	}
	offset := len(head) + len(msgs) + 1
	var b strings.Builder
	for _, l := range head {
		b.WriteString(l + "\n")
	}
	i := 0
	for _, m := range msgs {
		if strings.HasPrefix(m, "\x00") {
			d := ref.Diagnostics[i]
			i++
			if d.Path == path {
				m = i18n.Sprintf(msgEditDiagAt, d.Line+offset, d.Column, i18n.Term("severity", string(d.Severity)), d.Human(), d.Rule)
			} else {
				m = d.String()
			}
		}
		b.WriteString(bannerPrefix + " " + strings.TrimSpace(m) + "\n")
	}
	b.WriteString(bannerEnd + "\n")
	return b.String()
}

// stripBanner removes opsbook's error block and nothing of the record: when
// the file still opens with bannerStart, everything up to bannerEnd goes
// whatever it now says; then every other line starting with bannerPrefix
// goes too (such a line is never the user's comment, and never committed).
func stripBanner(data []byte) []byte {
	lines := strings.SplitAfter(string(data), "\n")
	bare := func(l string) string { return strings.TrimRight(l, "\r\n") }
	if len(lines) > 0 && bare(lines[0]) == bannerStart {
		for i := 1; i < len(lines); i++ {
			if bare(lines[i]) == bannerEnd {
				lines = lines[i+1:]
				break
			}
		}
	}
	var b strings.Builder
	b.Grow(len(data))
	for _, l := range lines {
		if !strings.HasPrefix(l, bannerPrefix) {
			b.WriteString(l)
		}
	}
	return []byte(b.String())
}

// revealForEdit shows a record's encrypted fields in clear where the actor
// can read them, ‹encrypted› elsewhere, and says so on standard error.
func revealForEdit(g *global, s *change.Session, id string, src []byte, say bool) ([]byte, []crypt.Hidden, error) {
	if !bytes.Contains(src, []byte("-----BEGIN AGE ENCRYPTED FILE-----")) {
		return src, nil, nil
	}
	ident, err := s.Identity()
	if err != nil {
		return nil, nil, usage(err)
	}
	shown, hidden, err := crypt.RevealSource(ident, src)
	if err != nil {
		return nil, nil, writeErr(err)
	}
	for _, h := range hidden {
		if say || !errors.Is(h.Err, crypt.ErrNotReader) {
			fmt.Fprintln(g.io.Err, i18n.Sprintf(msgEncryptedHidden, h.Field, id, crypt.Marker, hiddenWhy(h)))
		}
	}
	return shown, hidden, nil
}

// hiddenWhy says why an encrypted field stayed closed.
func hiddenWhy(h crypt.Hidden) string {
	if errors.Is(h.Err, crypt.ErrNotReader) {
		return i18n.T(msgNotReader)
	}
	return h.Err.Error()
}
