package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/opsbook/opsbook/pkg/change"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/spf13/cobra"
)

type newOpts struct {
	*global
	writeOpts
	kind string
	id   string
	sets []string
	edit bool
	// attach are files to attach to the new record, in the same commit.
	attach []string
}

// newLong is the longer help of new, keyed in the help catalog; the fields
// each kind requires follow it.
const newLong = `New creates a record of KIND from its template: it allocates the next id
(PREFIX-YEAR-NNNN, the highest existing + 1), fills the defaults (you as
claimant, author, sponsor or appraiser; today's date; received_at now), applies
the --set assignments, validates the result against the schema and the rules,
and commits it. It prints the new id.

FIELD is a dotted path (items.0.amount); FIELD+=VALUE appends to a list;
VALUE is text, a number, true/false, a date, or a YAML flow value such as
'{description: 印刷, amount: 300.00}'. With --edit the record opens in your
editor ($VISUAL or $EDITOR) before it is checked. People need --id HANDLE.

On a terminal, when fields the kind requires are missing, the new record
opens in your editor with the missing fields listed on top (quit without
changes to create nothing); --set is for scripts, and without a terminal the
missing fields are an error that names them.`

func newNewCmd(g *global) *cobra.Command {
	o := &newOpts{global: g}
	cmd := &cobra.Command{
		Use:         "new <KIND> [--set FIELD=VALUE]... [--edit]",
		Short:       i18n.T("Create a record: allocate its id, fill the defaults, validate, commit"),
		Annotations: map[string]string{longLater: "new"},
		Example: `  opsbook new expense --set title="Printing" --set category=marketing --set amount=280.00
  opsbook new complaint --set title="Late delivery" --set channel=phone --set customer=CUS-0001 \
      --set category=delivery --set severity=high --set summary="3 boxes late"
  opsbook new person --id chen.jie --set name="陳傑" --set role=specialist --set emails+=chen.jie@example.com
  opsbook new expense --set title=Taxi --set category=travel --set amount=86.00 --attach taxi.pdf
  opsbook new expense --edit`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.kind = args[0]
			return runNew(cmd.Context(), o)
		},
	}
	cmd.Flags().StringArrayVarP(&o.sets, "set", "s", nil, i18n.T("set `FIELD=VALUE` (repeatable)"))
	cmd.Flags().StringVar(&o.id, "id", "", i18n.T("the `HANDLE` of a new person"))
	cmd.Flags().StringArrayVar(&o.attach, "attach", nil, i18n.T("attach `FILE` to the new record in the same commit (repeatable; see opsbook attach)"))
	cmd.Flags().BoolVarP(&o.edit, "edit", "e", false, i18n.T("open the new record in your editor before checking it"))
	o.writeOpts.bind(cmd)
	return cmd
}

func runNew(ctx context.Context, o *newOpts) error {
	if _, err := o.format(render.Text, render.JSON, render.YAML); err != nil {
		return err
	}
	k, err := record.ParseKind(o.kind)
	if err != nil {
		return usage(err)
	}
	var sets []change.Assignment
	for _, s := range o.sets {
		a, err := change.ParseAssignment(s)
		if err != nil {
			return usageErr("--set %v", err)
		}
		sets = append(sets, a)
	}
	sources, err := change.ReadSources(o.attach)
	if err != nil {
		return writeErr(err)
	}
	o.sayRenamed(sources)
	o.attemptOne(changeJSON{ID: o.id, Action: "create"})
	s, err := o.session(ctx, o.noCommit)
	if err != nil {
		return err
	}
	defer s.Close()
	id, data, err := change.NewRecord(s, k, o.id, sets)
	if err != nil {
		return writeErr(err)
	}
	path := change.RecordPath(s.Repo.Policy.Records, k, id)
	o.attemptOne(changeJSON{ID: id, Path: path, Action: "create"})
	msg := change.Message{Kind: k, ID: id, Action: "create", Note: o.note}
	missing := change.Missing(k, data)
	noEditor := false
	switch {
	case o.edit || len(missing) == 0:
	case o.io.InTTY && o.io.OutTTY:
		o.edit = true
		data = append([]byte(missingBanner(k, missing)), data...)
	default:
		// No one at a terminal to fill them in: a field the template
		// leaves empty (title: "") and nobody gave is missing, as the
		// fields it leaves out are, not an empty text.
		noEditor = true
		if data, err = unsetEmpty(data, missing); err != nil {
			return err
		}
	}
	if o.edit {
		data, err = editLoop(ctx, o.global, s, path, nil, data, msg)
		if err != nil {
			return err
		}
		if data == nil {
			fmt.Fprintln(o.io.Err, i18n.T("edit cancelled: no record created"))
			return nil
		}
	}
	edits := []change.Edit{{Path: path, Data: data}}
	if len(sources) > 0 {
		if edits, err = change.AttachEdits(s, nil, path, id, data, sources); err != nil {
			return writeErr(err)
		}
	}
	res, err := s.Apply(ctx, edits, msg)
	var ref *change.Refused
	if noEditor && errors.As(err, &ref) && ref.Invalid {
		// say how to give what is missing, under the refusal's findings
		return writeErr(&hinted{err, i18n.Sprintf(msgNewGiveMissing, setExamples(missing))})
	}
	if err != nil {
		return writeErr(err)
	}
	var paths []string
	if len(sources) > 0 {
		paths = res.Paths
	}
	return o.report(changeJSON{ID: id, Path: path, Paths: paths, Action: "create", Commit: res.Commit, Unchanged: res.Unchanged}, id)
}

// unsetEmpty takes out of a new record the missing fields it holds empty
// (the template's title: ""), so that the schema names each as a missing
// required field.
func unsetEmpty(data []byte, missing []change.Field) ([]byte, error) {
	rec, _ := record.Parse("", data)
	if rec == nil {
		return data, nil
	}
	var empty []string
	for _, f := range missing {
		if v, ok := rec.Get(f.Name); ok {
			if t, text := v.(string); text && strings.TrimSpace(t) == "" {
				empty = append(empty, f.Name)
			}
		}
	}
	if len(empty) == 0 {
		return data, nil
	}
	return change.ApplyAssignments(data, nil, empty, false)
}

// setExamples is "--set title=... --set amount=..." for the fields.
func setExamples(fields []change.Field) string {
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = "--set " + f.Name + "=..."
		for _, o := range f.Or { // one of two: either --set customer=... or --set contact=...
			parts[i] = i18n.Sprintf(msgNewEither, parts[i], "--set "+o+"=...")
		}
	}
	return strings.Join(parts, " ")
}

// hinted is an error with a line said after it: how to mend it.
type hinted struct {
	err  error
	hint string
}

func (h *hinted) Error() string { return h.err.Error() + "\n  " + h.hint }
func (h *hinted) Unwrap() error { return h.err }

// requiredHelp lists, for `new --help`, what each kind must be given.
func requiredHelp() string {
	var b strings.Builder
	b.WriteString("\n\n" + i18n.T(msgNewRequiredHead) + "\n")
	width := 0 // the longest kind's: the lists start in one column
	for _, ki := range record.Kinds {
		width = max(width, len(ki.Kind))
	}
	for _, ki := range record.Kinds {
		fields, err := change.MustGive(ki.Kind)
		if err != nil {
			continue
		}
		var names []string
		for _, f := range fields {
			names = append(names, eitherName(f))
		}
		fmt.Fprintf(&b, "  %-*s %s\n", width, ki.Kind, strings.Join(names, i18n.T(", ")))
	}
	b.WriteString(i18n.T(msgNewRequiredTail))
	return b.String()
}

// eitherName names a field a new record must be given, with those that may
// stand in for it: "customer or contact".
func eitherName(f change.Field) string {
	name := f.Name
	for _, o := range f.Or {
		name = i18n.Sprintf(msgNewEither, name, o)
	}
	return name
}

// missingBanner is the commented block on top of a new record opened in
// the editor because fields are missing: the marker lines of edit's error
// block, so it is removed the same way when the file is saved.
func missingBanner(k record.Kind, missing []change.Field) string {
	var b strings.Builder
	b.WriteString(bannerStart + "\n")
	fmt.Fprintf(&b, "%s %s\n", bannerPrefix, i18n.Sprintf(msgNewFillIn, i18n.Term("kind", string(k))))
	for _, f := range missing {
		// the schema's description is English: a Chinese reader is given
		// the field's word instead
		desc := oneLine(f.Description)
		if w := i18n.Field(f.Name).String(); i18n.IsChinese() && w != f.Name {
			desc = w
		}
		fmt.Fprintf(&b, "%s   %s: %s\n", bannerPrefix, eitherName(f), desc)
	}
	b.WriteString(bannerEnd + "\n")
	return b.String()
}
