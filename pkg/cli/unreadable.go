package cli

import (
	"fmt"
	"strings"

	"github.com/opsbook/opsbook/pkg/change"
	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/repo"
)

// unreadable lists the diagnostics of record files that could not be read
// as records at all: they are left out of every answer, which the reading
// commands must say rather than report figures that silently miss them.
func unreadable(r *repo.Repo) []diag.Diagnostic {
	have := map[string]bool{}
	for _, rec := range r.Set.Records {
		have[rec.Path] = true
	}
	seen := map[string]bool{}
	var out []diag.Diagnostic
	for _, d := range r.Diags {
		if d.Severity != diag.Error || have[d.Path] || seen[d.Path] || !strings.HasSuffix(d.Path, ".yaml") || d.Path == ".opsbook.yaml" {
			continue
		}
		seen[d.Path] = true
		out = append(out, d)
	}
	return out
}

// warnUnreadable tells, on standard error, which record files were left
// out because they cannot be read.
func (g *global) warnUnreadable(r *repo.Repo) {
	if g.quietUnreadable {
		return
	}
	fmt.Fprint(g.io.Err, cannotReadWarning(r))
	if !g.quietTwice {
		fmt.Fprint(g.io.Err, twiceWarning(r.Set))
	}
}

// unreadableWarning is what warnUnreadable says of r ("" when every file
// is a record and every id is stated once): kept with a stored answer made from r, to be said again
// with it (repo.Memo.Warning).
func unreadableWarning(r *repo.Repo) string {
	return cannotReadWarning(r) + twiceWarning(r.Set)
}

// cannotReadWarning names the record files left out of r.
func cannotReadWarning(r *repo.Repo) string {
	ds := unreadable(r)
	if len(ds) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintln(&b, "opsbook: "+i18n.Plural(len(ds), "warning: %d record file cannot be read and is left out of this answer (run `opsbook validate`):",
		"warning: %d record files cannot be read and are left out of this answer (run `opsbook validate`):", len(ds)))
	for i, d := range ds {
		if i == 5 {
			fmt.Fprintln(&b, "  "+i18n.Sprintf("... and %d more", len(ds)-5))
			break
		}
		fmt.Fprintf(&b, "  %s\n", d)
	}
	return b.String()
}

// warnKept says again, on standard error, what the command said of the
// files left out when it made the stored answer it gives now.
func (g *global) warnKept(m *repo.Memo) {
	if !g.quietUnreadable && m.Warning != "" {
		fmt.Fprint(g.io.Err, m.Warning)
	}
}

// unreadableRecord explains a missing id whose file exists but cannot be
// read, or returns nil.
func unreadableRecord(r *repo.Repo, id string) error {
	k, ok := record.KindOfID(id)
	if !ok {
		return nil
	}
	p := strings.TrimSuffix(r.Policy.Records, "/") + "/" + record.RelPath(k, id)
	var msgs []string
	for _, d := range r.Diags {
		if d.Path == p && d.Severity == diag.Error {
			msgs = append(msgs, d.String())
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return &ExitError{ExitFindings, i18n.Errorf("%s cannot be read as a record:\n  %s", id, strings.Join(msgs, "\n  "))}
}

// warnInterrupted tells, on standard error, that an interrupted change
// waits for the next writing command (or `opsbook doctor`) to finish or
// undo it: until then, the files may not be what HEAD says.
func (g *global) warnInterrupted(root string) {
	if g.quietUnreadable {
		return
	}
	if what, ok := change.Interrupted(root); ok {
		fmt.Fprintln(g.io.Err, "opsbook: "+i18n.Sprintf("warning: an interrupted change (%s) has not been recovered; the next writing command or `opsbook doctor` finishes or undoes it", what))
	}
}
