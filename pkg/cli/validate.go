package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/opsbook/opsbook/pkg/attach"
	"github.com/opsbook/opsbook/pkg/change"
	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/crypt"
	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/opsbook/opsbook/pkg/repo"
	"github.com/opsbook/opsbook/pkg/rules"
	"github.com/spf13/cobra"
)

type validateOpts struct {
	*global
	paths  []string
	strict bool
	rules  bool
	base   string
}

// basePolicy is the policy committed at rev.
func (o *validateOpts) basePolicy(rev string) (*config.Policy, error) {
	r, err := o.openAudit()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	p, err := r.PolicyAt(rev)
	if err != nil {
		return nil, &ExitError{ExitUsage, i18n.Errorf("validate --base: %w", err)}
	}
	return p, nil
}

// validateLong is the longer help of validate, keyed in the help catalog.
const validateLong = `Validate reads every record of the repository and checks it against its
kind's schema and against the rules that span records: ids and paths agree,
references resolve, sums add up, each state has what it needs, budgets are
not overspent. SLA breaches, overdue tasks and missing checks are warnings.

With PATHs (files or folders), only their findings are shown; the rules still
see every record. Validate never changes a file.

Output (-o): text (path:line:col: severity: message [rule]; on a terminal with
the source line and a caret), json, github (workflow annotations).`

func newValidateCmd(g *global) *cobra.Command {
	o := &validateOpts{global: g}
	cmd := &cobra.Command{
		Use:   "validate [PATH...]",
		Short: i18n.T("Check records against the schemas and the department's rules"),
		Long:  i18n.T(validateLong),
		Example: `  opsbook validate
  opsbook validate records/expenses/2026
  opsbook validate --strict -o github
  opsbook validate --rules`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.paths = args
			return runValidate(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.strict, "strict", false, i18n.T("fail (exit 1) on warnings too"))
	cmd.Flags().StringVar(&o.base, "base", "", i18n.T("judge the files by the policy (records folder, limits, categories) committed at `REV`, not the work tree's (CI: the base branch)"))
	cmd.Flags().BoolVar(&o.rules, "rules", false, i18n.T("list the rule codes and exit"))
	return cmd
}

type validateJSON struct {
	Diagnostics []diag.Diagnostic `json:"diagnostics"`
	Records     int               `json:"records"`
	Errors      int               `json:"errors"`
	Warnings    int               `json:"warnings"`
}

// writeValidateJSON writes v as render.WriteJSON does, byte for byte, one
// diagnostic at a time: encoding the whole answer first held all of it in
// memory, and a group's finding names every record of the group on each
// of them, so on a department with large groups (copies of the sample:
// 57 MB of JSON at 30,000 records, gigabytes at 300,000) the output grows
// faster than the department.
func writeValidateJSON(w io.Writer, v validateJSON) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var item bytes.Buffer
	enc := json.NewEncoder(&item)
	enc.SetEscapeHTML(false)
	enc.SetIndent("    ", "  ")
	bw.WriteString("{\n  \"diagnostics\": ")
	if v.Diagnostics == nil {
		bw.WriteString("null")
	} else {
		bw.WriteString("[")
	}
	for i, d := range v.Diagnostics {
		item.Reset()
		if err := enc.Encode(d); err != nil {
			return err
		}
		if i > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n    ")
		bw.Write(bytes.TrimSuffix(item.Bytes(), []byte("\n")))
	}
	if len(v.Diagnostics) > 0 {
		bw.WriteString("\n  ")
	}
	if v.Diagnostics != nil {
		bw.WriteString("]")
	}
	fmt.Fprintf(bw, ",\n  \"records\": %d,\n  \"errors\": %d,\n  \"warnings\": %d\n}\n", v.Records, v.Errors, v.Warnings)
	return bw.Flush()
}

func runValidate(ctx context.Context, o *validateOpts) error {
	format, err := o.format(render.Text, render.JSON, render.GitHub)
	if err != nil {
		return err
	}
	if o.rules {
		return listRules(o, format)
	}
	o.quietUnreadable = true
	now, err := o.clock()
	if err != nil {
		return err
	}
	var ropts repo.Options
	if o.base != "" {
		if ropts.Policy, err = o.basePolicy(o.base); err != nil {
			return err
		}
	}
	r, err := o.openWith(ctx, ropts)
	if err != nil {
		return err
	}
	scope, err := scopePaths(o.dir, r.Root, o.paths)
	if err != nil {
		return err
	}
	all := r.Validate(now)
	// With a key at hand, what it opens is checked too: its schema, and
	// that it opens at all (an altered ciphertext is found only by a
	// reader).
	all = append(all, o.validateClear(r)...)
	for _, f := range change.Inspect(r.Root) {
		if f.Code == change.CodeInterrupted || f.Code == change.CodeLeftoverTemp || f.Code == change.CodeStagedRevert {
			all = append(all, diag.Diagnostic{Path: f.Path, Severity: diag.Warning, Rule: f.Code, Message: f.Message + " (run `opsbook doctor`)",
				Text: i18n.Sprintf("%s (run `opsbook doctor`)", f.Human())})
		}
	}
	ds := repo.FilterPaths(diag.Sort(all), scope)
	records := 0
	for _, rec := range r.Set.Records {
		if len(repo.FilterPaths([]diag.Diagnostic{{Path: rec.Path}}, scope)) > 0 {
			records++
		}
	}
	errs, warns := diag.Count(ds)
	switch format {
	case render.JSON:
		if ds == nil {
			ds = []diag.Diagnostic{}
		}
		err = writeValidateJSON(o.io.Out, validateJSON{ds, records, errs, warns})
	case render.GitHub:
		err = render.WriteGitHub(o.io.Out, ds)
	default:
		c := o.colors()
		err = render.WriteDiagnostics(o.io.Out, ds, r.Root, o.io.OutTTY, c)
		if err == nil && (o.io.OutTTY || len(ds) > 0) {
			_, err = fmt.Fprintln(o.io.Err, i18n.Sprintf("%s, %s, %s", i18n.Plural(records, "%d record", "%d records", records),
				i18n.Plural(errs, "%d error", "%d errors", errs), i18n.Plural(warns, "%d warning", "%d warnings", warns)))
		}
	}
	if err != nil {
		return err
	}
	if errs > 0 || (o.strict && warns > 0) {
		return findings
	}
	return nil
}

// scopePaths turns command-line paths (relative to the working folder) into
// paths relative to the repository root, refusing ones outside it or absent.
func scopePaths(dir, root string, paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		abs := p
		if !filepath.IsAbs(p) {
			abs = filepath.Join(dir, p)
		}
		abs, _ = filepath.Abs(abs)
		if _, err := os.Lstat(abs); err != nil {
			return nil, usageErr("%s: no such file or folder", p)
		}
		rel, err := filepath.Rel(root, abs)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return nil, usageErr("%s is outside the repository %s", p, root)
		}
		out = append(out, filepath.ToSlash(rel))
	}
	return out, nil
}

func listRules(o *validateOpts, format render.Format) error {
	if format == render.JSON {
		type row struct {
			Rule     string `json:"rule"`
			Severity string `json:"severity"`
			Summary  string `json:"summary"`
		}
		var rows []row
		for _, r := range rules.Catalog {
			rows = append(rows, row{r.Code, string(r.Severity), r.Summary})
		}
		return render.WriteJSON(o.io.Out, rows)
	}
	// what a rule checks is wrapped, never cut: it is the table's point
	t := &render.Table{Headers: render.Headers("RULE", "SEVERITY", "CHECKS"), Wrap: map[int]bool{2: true}}
	for _, r := range rules.Catalog {
		t.Add(r.Code, i18n.Term("severity", string(r.Severity)), ruleSummary(r))
	}
	return render.WriteTableWidth(o.io.Out, t, o.io.OutTTY, o.io.Width)
}

// validateClear checks the encrypted fields the reader's key opens: a
// ciphertext that cannot be opened (altered, moved from another field) is
// an error, and the clear values are checked against the kind's schema.
// Without a key it finds nothing: structure and recipients are the rules'.
func (o *validateOpts) validateClear(r *repo.Repo) []diag.Diagnostic {
	var out []diag.Diagnostic
	for _, rec := range r.Set.Records {
		out = append(out, o.validateFiles(r, rec)...)
		paths := crypt.Ciphertexts(rec)
		if len(paths) == 0 {
			continue
		}
		id := o.identity()
		if id == nil {
			return nil
		}
		shown, hidden := crypt.Reveal(id, rec)
		for _, h := range hidden {
			if errors.Is(h.Err, crypt.ErrNotReader) {
				continue
			}
			line, col := rec.Pos(h.Field)
			out = append(out, diag.Diagnostic{Path: rec.Path, Line: line, Column: col, Severity: diag.Error, Rule: "ciphertext",
				Message: fmt.Sprintf("%s %v", h.Field, h.Err), Record: rec.ID})
		}
		if len(hidden) == len(paths) {
			continue
		}
		had := map[string]bool{}
		for _, d := range r.Schemas.Validate(rec) {
			had[d.String()] = true
		}
		for _, d := range r.Schemas.Validate(shown) {
			if !had[d.String()] {
				d.Message += " (in the encrypted value)"
				out = append(out, d)
			}
		}
	}
	return out
}

// validateFiles opens, with the reader's key, each encrypted attachment of
// rec that has its listed hash: one that does not open although it names
// the reader (a payload altered before it was listed) is an error. A file
// that is not the reader's, or has another hash (attachment-hash), is left
// to the rules.
func (o *validateOpts) validateFiles(r *repo.Repo, rec *record.Record) []diag.Diagnostic {
	var out []diag.Diagnostic
	for _, e := range rules.Listed(rec) {
		if !crypt.IsEncryptedPath(e.Path) || attach.CheckPath(e.Path) != nil {
			continue
		}
		id := o.identity()
		if id == nil {
			return nil
		}
		data, err := attach.Read(r.Root, e.Path, crypt.MaxFile*2)
		if err != nil || attach.SumBytes(data) != strings.ToLower(e.SHA256) {
			continue
		}
		if _, err := crypt.FileStanzas(data); err != nil {
			continue // the rules name it (ciphertext)
		}
		if _, err := id.OpenFile(data); err == nil || errors.Is(err, crypt.ErrNotReader) {
			continue
		}
		field := attach.Field + "." + strconv.Itoa(e.Index) + ".path"
		line, col := rec.Pos(field)
		msg, text := i18n.Both("attachment %s of %s names you as a reader but cannot be opened: %v", e.Path, rec.ID, err)
		out = append(out, diag.Diagnostic{Path: rec.Path, Line: line, Column: col, Severity: diag.Error, Rule: "ciphertext", Message: msg, Text: text, Record: rec.ID})
	}
	return out
}

// ruleSummary is what a rule checks, in the reader's language (the
// catalog's "rule" terms, by code); -o json keeps the English.
func ruleSummary(r rules.Rule) string {
	if t := i18n.Term("rule", r.Code); t != r.Code {
		return t
	}
	return r.Summary
}
