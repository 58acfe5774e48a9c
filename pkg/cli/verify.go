package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/opsbook/opsbook/pkg/audit"
	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/spf13/cobra"
)

type verifyOpts struct {
	*global
	rng       string
	rulesFrom string
}

// verifyLong is the longer help of verify, keyed in the help catalog.
const verifyLong = `Verify replays commits and reports each change the rules forbid, with the
commit, the record, the rule and the actor: a move the workflow does not
have, or by someone without the role or over their approval limit; an
unknown or inactive actor; a record created in a later state or by a role
that may not create it; four-eyes breaches; edits to records in a final
state, deleted records, amounts or items changed after approval; people,
roles or the policy (.opsbook.yaml) changed by anyone but the director or
leadership; and, when the policy sets require_signatures, any commit that
changes records without one valid signature by a key registered to its
actor.

Moves are derived from the files at each commit and its parent; commit
messages and trailers are never trusted, and neither is the commit index in
.git/opsbook/ (every judged commit is read again from the objects). A merge
is judged against its first parent: a file it changes is its actor's change
unless a clean merge gives it (another parent's side changed it since the
merge base, the first parent's did not); what it drops of another side's
changes is judged too. A merge with an old commit of the branch brings
nothing: whatever it sets back is named. Parents are read as git reads them
(only the parent lines right after the tree); a stray parent line is named
(commit-header), and a commit git would not read is an error. Changing the
policy's records folder needs every record moved in the same commit, by the
director or leadership (records-folder). A commit dated more than an hour
before one of its parents, or more than an hour after the check, is named
(commit-date), and so is a submodule or symbolic link in the records folder
or at the policy (file-type), an edit of a person or the policy that keeps
another commit's forbidden change of it (forbidden-kept), a committed
.mailmap showing one person's commits as another's (mailmap), and, under
policy_changes: leadership, the policy changed by anyone but leadership.

REVISION-RANGE is BASE..HEAD (the pull-request check: every commit of the
branch is judged by the people, roles, keys and policy of BASE as BASE's
history leaves them, never of the branch under review: a forbidden change
that reached BASE anyway stays without effect), or one revision (all its
history), by default HEAD: then each commit is judged by the rules of its
parent, and the root commit (or, when the records came later, the commit
that brings the first people) by its own registry, its records as
creations. A repository that imported earlier records verifies from the
import on: opsbook verify IMPORT..HEAD.
--rules-from parent judges a range by each commit's parent instead (for a
long stretch of history in which people joined).

A shallow clone is refused: fetch the full history (git fetch --unshallow;
in GitHub Actions, actions/checkout with fetch-depth: 0). So is a partial
clone (git clone --filter) that lacks earlier versions of the files: git
config --unset remote.origin.partialclonefilter, then git fetch --refetch
origin (or clone without --filter).

Output (-o): text, json ({"commits":N,"violations":[{"commit","record",
"path","rule","actor","message"}]}), github (workflow annotations).

Exit status: 0 no violations; 1 violations found; 2 usage error, or the
repository cannot be read (not git, shallow, partial, unknown revision).`

func newVerifyCmd(g *global) *cobra.Command {
	o := &verifyOpts{global: g}
	cmd := &cobra.Command{
		Use:   "verify [REVISION-RANGE]",
		Short: i18n.T("Replay commits against the rules and report every forbidden change"),
		Long:  i18n.T(verifyLong),
		Example: `  opsbook verify
  opsbook verify origin/main..HEAD -o github
  opsbook verify 4f1c2d3..HEAD -o json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.rng = args[0]
			}
			switch o.rulesFrom {
			case "", audit.RulesFromBase, audit.RulesFromParent:
			default:
				return usageErr("--rules-from %q: give base or parent", o.rulesFrom)
			}
			if o.rulesFrom == audit.RulesFromBase && !strings.Contains(o.rng, "..") {
				return usageErr("--rules-from base needs a range BASE..HEAD")
			}
			return runVerify(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.rulesFrom, "rules-from", "", i18n.T("judge by the rules of `FROM`: base (the range's base) or parent (each commit's parent); default: base for a range, parent otherwise"))
	return cmd
}

type verifyJSON struct {
	Commits    int               `json:"commits"`
	Violations []audit.Violation `json:"violations"`
	// Withheld: BASE's files whose forbidden change never took effect
	Withheld []audit.Withheld `json:"withheld,omitempty"`
}

func runVerify(ctx context.Context, o *verifyOpts) error {
	format, err := o.format(render.Text, render.JSON, render.GitHub)
	if err != nil {
		return err
	}
	r, err := o.openAudit()
	if err != nil {
		return err
	}
	defer r.Close()
	opts := audit.VerifyOptions{Range: o.rng, RulesFrom: o.rulesFrom}
	progress := false
	if o.io.ErrTTY {
		opts.Progress = func(done, total int) {
			if total >= 500 {
				progress = true
				fmt.Fprint(o.io.Err, "\r"+i18n.Sprintf("verifying commits: %d/%d", done, total))
			}
		}
	}
	rep, err := r.Verify(ctx, opts)
	if progress {
		fmt.Fprint(o.io.Err, "\r\x1b[K")
	}
	if err != nil {
		return &ExitError{ExitUsage, i18n.Errorf("verify: %w", err)}
	}
	vs := rep.Violations
	if vs == nil {
		vs = []audit.Violation{}
	}
	switch format {
	case render.JSON:
		err = render.WriteJSON(o.io.Out, verifyJSON{rep.Commits, vs, rep.Withheld})
	case render.GitHub:
		err = render.WriteGitHub(o.io.Out, append(violationDiags(vs), withheldDiags(rep.Withheld)...))
	default:
		err = writeViolations(o.io.Out, vs, o.colors())
	}
	if err != nil {
		return err
	}
	// the notes are prose: wrapped to a terminal's width, whole otherwise
	width := 0
	if o.io.ErrTTY {
		width = o.io.Width
	}
	for _, w := range rep.Withheld {
		fmt.Fprintln(o.io.Err, render.WrapLines(i18n.Sprintf("note: %s", i18n.Sprintf(msgWithheld, w.Path, w.Commit[:8])), width))
	}
	if subs := r.Substitutes(); len(subs) > 0 {
		// git replace or grafts: git log here shows another history than
		// the one judged, which is the one every clone gets
		fmt.Fprintln(o.io.Err, render.WrapLines(i18n.Sprintf("note: %s", i18n.Sprintf(msgSubstitutes, strings.Join(subs, ", "))), width))
	}
	fmt.Fprintln(o.io.Err, render.WrapLines(verifySummary(rep), width))
	if len(vs) > 0 {
		return findings
	}
	return nil
}

func verifySummary(rep *audit.Report) string {
	what := i18n.Sprintf("verified %s", commits(rep.Commits))
	if !rep.Base.IsZero() {
		what += i18n.Sprintf(" after %s (rules from the %s)", rep.Base.String()[:8], rep.RulesFrom)
	}
	if len(rep.Violations) == 0 {
		return what + i18n.T(": no violations")
	}
	bad := map[string]bool{}
	for _, v := range rep.Violations {
		bad[v.Commit] = true
	}
	return i18n.Sprintf("%s: %s in %s", what, violations(len(rep.Violations)), commits(len(bad)))
}

// commits is "1 commit" or "3 commits" in the reader's language.
func commits(n int) string { return i18n.Plural(n, "%d commit", "%d commits", n) }

// violations is "1 violation" or "3 violations".
func violations(n int) string { return i18n.Plural(n, "%d violation", "%d violations", n) }

// writeViolations writes `COMMIT RECORD (ACTOR): message [rule]`, one a
// line, in commit order.
func writeViolations(w io.Writer, vs []audit.Violation, c render.Colors) error {
	var b strings.Builder
	for _, v := range vs {
		rec := v.Record
		if rec == "" {
			rec = v.Path
		}
		fmt.Fprintf(&b, "%s %s (%s): %s %s\n", c.Yellow(v.Commit[:8]), c.Bold(rec), v.Actor, v.Human(), c.Dim("["+v.Rule+"]"))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// msgSubstitutes: the replace refs and grafts file.
const msgSubstitutes = "this repository shows git other commits than it holds (%s): git log here is not the history verify judged, which is the one a clone gets"

// msgWithheld: BASE's file, the forbidden commit.
const msgWithheld = "BASE's %s holds a forbidden change (commit %s) that never took effect: BASE's rules leave it out"

// withheldDiags are BASE's files holding a forbidden change, as warnings
// on the file (-o github shows them as the note standard error gives).
func withheldDiags(ws []audit.Withheld) []diag.Diagnostic {
	out := make([]diag.Diagnostic, 0, len(ws))
	for _, w := range ws {
		out = append(out, diag.Diagnostic{Path: w.Path, Line: 1, Column: 1, Severity: diag.Warning, Rule: "withheld",
			Message: fmt.Sprintf(msgWithheld, w.Path, w.Commit[:8]), Text: i18n.Sprintf(msgWithheld, w.Path, w.Commit[:8])})
	}
	return out
}

func violationDiags(vs []audit.Violation) []diag.Diagnostic {
	out := make([]diag.Diagnostic, 0, len(vs))
	for _, v := range vs {
		p := v.Path
		if p == "" {
			p = config.FileName
		}
		out = append(out, diag.Diagnostic{Path: p, Line: v.Line, Column: v.Column, Severity: diag.Error,
			Rule: v.Rule, Record: v.Record,
			Message: fmt.Sprintf("%s (commit %s by %s)", v.Message, v.Commit[:8], v.Actor),
			Text:    i18n.Sprintf("%s (commit %s by %s)", v.Human(), v.Commit[:8], v.Actor)})
	}
	return out
}
