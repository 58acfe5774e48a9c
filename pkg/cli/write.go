package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/opsbook/opsbook/pkg/audit"
	"github.com/opsbook/opsbook/pkg/change"
	"github.com/opsbook/opsbook/pkg/crypt"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/opsbook/opsbook/pkg/workflow"
	"github.com/spf13/cobra"
)

// writeOpts are the flags every command that writes shares.
type writeOpts struct {
	noCommit bool
	note     string
}

func (w *writeOpts) bind(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&w.noCommit, "no-commit", false, i18n.T("write the files but do not commit (for a pull request that batches several changes)"))
	cmd.Flags().StringVar(&w.note, "note", "", i18n.T("a `NOTE` for the commit message"))
}

// session opens the repository for a change and maps its failures to exit
// statuses.
func (g *global) session(ctx context.Context, noCommit bool) (*change.Session, error) {
	return g.sessionWith(ctx, change.Options{NoCommit: noCommit})
}

// sessionWith is session with options; the moment, the wait, the notes and
// --no-cache are the command's.
func (g *global) sessionWith(ctx context.Context, o change.Options) (*change.Session, error) {
	now, err := g.clock()
	if err != nil {
		return nil, err
	}
	crypt.Ask = askPassphrase(g)
	o.Now, o.Wait, o.Notes, o.NoIndex = now, g.wait, g.io.Err, g.noCache
	s, err := change.OpenWith(ctx, g.dir, o)
	if err != nil {
		return nil, writeErr(err)
	}
	s.LeftAtClose = audit.LeftAtClose(g.dir)
	return s, nil
}

// sessionFor opens a change session and finds the record it is about; an
// unknown id is a usage error.
func (g *global) sessionFor(ctx context.Context, noCommit bool, id string) (*change.Session, *record.Record, error) {
	return g.sessionForWith(ctx, change.Options{NoCommit: noCommit}, id)
}

// sessionForWith is sessionFor with options.
func (g *global) sessionForWith(ctx context.Context, o change.Options, id string) (*change.Session, *record.Record, error) {
	s, err := g.sessionWith(ctx, o)
	if err != nil {
		return nil, nil, err
	}
	rec, err := s.Find(id)
	if err != nil {
		s.Close()
		return nil, nil, usage(err)
	}
	if rec, err = filedUnderID(g.io.Err, s.Repo, rec, false); err != nil {
		s.Close()
		return nil, nil, err
	}
	return s, rec, nil
}

// writeErr maps the errors of a change to exit statuses: refusals 3 (1 for
// invalid values), busy 75, an unusable repository 2.
func writeErr(err error) error {
	var ref *change.Refused
	var wr *workflow.Refusal
	var ee *ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ee):
		return err
	case errors.As(err, &ref):
		if ref.Invalid {
			return &ExitError{ExitFindings, err}
		}
		if len(ref.Diagnostics) > 0 {
			return &ExitError{ExitRefused, err}
		}
		return &ExitError{ExitRefused, located{err, ref.Places, ref.Rule}}
	case errors.As(err, &wr):
		line, col := wr.Pos()
		return &ExitError{ExitRefused, located{i18n.Errorf("refused: %w", err), []change.Place{{Path: wr.Path, Line: line, Column: col, Field: wr.Field, Rule: wr.Rule}}, wr.Rule}}
	case errors.Is(err, change.ErrUsage):
		return &ExitError{ExitUsage, errors.New(strings.TrimPrefix(err.Error(), "usage: "))}
	case errors.Is(err, change.ErrBusy):
		return &ExitError{ExitBusy, err}
	case errors.Is(err, change.ErrRepository):
		return &ExitError{ExitUsage, err}
	}
	return &ExitError{ExitUsage, err}
}

// located is a refusal followed by where each of its reasons is and its
// rule, as a finding is named (file:line:column, the field, [rule]), each
// on a line of its own under the sentence:
//
//	opsbook: refused: zhang.min (manager) may not approve EXP-2026-0036: ...
//	  records/expenses/2026/EXP-2026-0036.yaml:4:9: status [move-role]
//
// A refusal that names no record says its rule alone ("  [uncommitted]").
type located struct {
	err    error
	places []change.Place
	rule   string
}

func (l located) Error() string {
	var b strings.Builder
	b.WriteString(l.err.Error())
	if len(l.places) == 0 && l.rule != "" {
		b.WriteString("\n  [" + l.rule + "]")
	}
	for _, p := range l.places {
		if p.Path == "" {
			b.WriteString("\n  [" + p.Rule + "]")
			continue
		}
		fmt.Fprintf(&b, "\n  %s:%d:%d:", p.Path, p.Line, p.Column)
		if p.Field != "" {
			words := i18n.Field(p.Field).String()
			b.WriteString(" " + words)
			if words != p.Field {
				b.WriteString(" (" + p.Field + ")")
			}
		}
		b.WriteString(" [" + p.Rule + "]")
	}
	return b.String()
}

func (l located) Unwrap() error { return l.err }

// changeJSON is the -o json shape of every writing command.
type changeJSON struct {
	ID     string   `json:"id"`
	Path   string   `json:"path"`
	Paths  []string `json:"paths,omitempty"`
	Action string   `json:"action"`
	From   string   `json:"from,omitempty"`
	To     string   `json:"to,omitempty"`
	Commit string   `json:"commit"`
	// Unchanged: the record already said so; nothing was written.
	Unchanged bool `json:"unchanged,omitempty"`
	// Refused: why the write was refused (nothing written), one reason each.
	Refused []diagJSON `json:"refused,omitempty"`
}

func (g *global) report(out changeJSON, text string) error {
	format, err := g.format(render.Text, render.JSON, render.YAML)
	if err != nil {
		return err
	}
	switch format {
	case render.JSON:
		return render.WriteJSON(g.io.Out, out)
	case render.YAML:
		return render.WriteYAML(g.io.Out, out)
	}
	if out.Unchanged {
		fmt.Fprintln(g.io.Err, i18n.Sprintf("no changes: %s already says so; nothing committed", out.Path))
		return nil
	}
	fmt.Fprintln(g.io.Out, text)
	if out.Commit != "" {
		fmt.Fprintln(g.io.Err, i18n.Sprintf("committed %s", short(out.Commit)))
	} else {
		paths := out.Paths
		if len(paths) == 0 {
			paths = []string{out.Path}
		}
		fmt.Fprintln(g.io.Err, i18n.Sprintf("not committed (--no-commit or policy commit: false): %s", strings.Join(paths, ", ")))
	}
	return nil
}

func short(h string) string {
	if len(h) > 10 {
		return h[:10]
	}
	return h
}
