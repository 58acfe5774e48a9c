package cli

import (
	"errors"
	"strings"

	"github.com/opsbook/opsbook/pkg/change"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/opsbook/opsbook/pkg/workflow"
	"github.com/spf13/cobra"
)

// A refused write (exit 3, or 1 for values that would not be valid) says
// why on standard error, as every error is said, and with -o json or -o
// yaml also on standard output, in the shape the command writes when it
// succeeds with "refused" added, one object per reason:
//
//	{"id","path","action","from"?,"to"?,"commit":"","refused":[{"record",
//	 "field"?,"path","line","column","rule","message"}]}
//
// for a write of one record (changeJSON), and manyJSON's for several
// ({"action","commit":"","records":[],"refused":[...]}), which runMany
// writes itself. "message" is English whatever the reader's language, as
// every message of -o json is.

// writeCommands are the commands under the root that write records (the
// workflow verbs besides, by their group).
var writeCommands = map[string]bool{
	"set": true, "assign": true, "new": true, "edit": true, "move": true,
	"renumber": true, "attach": true, "init": true, "encrypt": true, "rekey": true,
}

// sayRefusals makes c, a writing command, write its refusal to standard
// output as well when -o json or -o yaml asks for it.
func sayRefusals(g *global, c *cobra.Command) {
	run := c.RunE
	if run == nil {
		return
	}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		g.attempt, g.saidJSON = nil, false
		err := run(cmd, args)
		if err == nil || g.saidJSON {
			return err
		}
		if code := exitCode(err); code != ExitRefused && code != ExitFindings {
			return err
		}
		refused := refusalsOf(err)
		if refused == nil {
			return err
		}
		format, ferr := render.ParseFormat(g.output, render.Text, render.JSON, render.YAML)
		if ferr != nil || format == render.Text {
			return err
		}
		var out any
		if g.attempt != nil {
			out = g.attempt(refused)
		} else {
			out = changeJSON{Refused: refused}
		}
		if format == render.YAML {
			_ = render.WriteYAML(g.io.Out, out)
		} else {
			_ = render.WriteJSON(g.io.Out, out)
		}
		return err
	}
}

// attemptOne is what a write of one record is about, for its refusal in
// -o json: out with the reasons, nothing committed.
func (g *global) attemptOne(out changeJSON) {
	g.attempt = func(refused []diagJSON) any {
		out.Commit, out.Unchanged, out.Refused = "", false, refused
		return out
	}
}

// attemptMany is attemptOne for a change of several records.
func (g *global) attemptMany(action string) {
	g.attempt = func(refused []diagJSON) any {
		return manyJSON{Action: action, Records: []lineJSON{}, Refused: refused}
	}
}

// refusalsOf is every reason of a refusal, as -o json names them; nil for
// an error that is no refusal by the rules.
func refusalsOf(err error) []diagJSON {
	var ref *change.Refused
	var wr *workflow.Refusal
	switch {
	case errors.As(err, &ref):
		var out []diagJSON
		for _, d := range ref.Diagnostics {
			out = append(out, diagJSON{d.Record, d.Field, d.Path, d.Line, d.Column, d.Rule, d.Message})
		}
		for _, p := range ref.Places {
			msg := p.Message
			if msg == "" {
				msg = reasonOnly(ref.Reason)
			}
			out = append(out, diagJSON{p.Record, p.Field, p.Path, p.Line, p.Column, p.Rule, msg})
		}
		if len(out) == 0 {
			out = append(out, diagJSON{Rule: ref.Rule, Message: reasonOnly(ref.Reason)})
		}
		return out
	case errors.As(err, &wr):
		line, col := wr.Pos()
		return []diagJSON{{wr.ID, wr.Field, wr.Path, line, col, wr.Rule, wr.Message}}
	}
	return nil
}

// reasonOnly is a refusal's English reason without the words around it.
func reasonOnly(reason string) string {
	return strings.TrimSuffix(strings.TrimPrefix(reason, "refused: "), "; nothing was changed")
}
