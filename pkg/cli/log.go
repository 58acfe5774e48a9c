package cli

import (
	"context"
	"time"

	"github.com/opsbook/opsbook/pkg/audit"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/spf13/cobra"
)

type logOpts struct {
	*global
	since string
	kind  string
	actor string
	limit int
}

// logLong is the longer help of log, keyed in the help catalog.
const logLong = `Log lists every change to every record in the history of HEAD, newest
first: date, commit, record, actor and move, with the fields that changed.
Like history, it derives moves from the files, never from commit messages;
a merge shows only what it changed itself (its branch's commits are listed
on their own).

Output (-o): text, json.`

func newLogCmd(g *global) *cobra.Command {
	o := &logOpts{global: g}
	cmd := &cobra.Command{
		Use:   "log [--since DATE] [--kind KIND] [--actor HANDLE]",
		Short: i18n.T("The department's activity feed, from git"),
		Long:  i18n.T(logLong),
		Example: `  opsbook log --since 2026-11-01
  opsbook log --kind expense --actor zhang.min
  opsbook log -n 20 -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLog(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.since, "since", "", i18n.T("only changes authored on or after `DATE` (YYYY-MM-DD or RFC 3339)"))
	f.StringVar(&o.kind, "kind", "", i18n.T("only records of `KIND` (expense, plan, ...)"))
	f.StringVar(&o.actor, "actor", "", i18n.T("only changes made by the person `HANDLE`"))
	f.IntVarP(&o.limit, "limit", "n", 0, i18n.T("at most `N` changes"))
	return cmd
}

func runLog(ctx context.Context, o *logOpts) error {
	format, err := o.format(render.Text, render.JSON)
	if err != nil {
		return err
	}
	opts := audit.LogOptions{Actor: o.actor, Limit: o.limit}
	if o.since != "" {
		if opts.Since, err = parseDate(o.since); err != nil {
			return err
		}
	}
	if o.kind != "" {
		if opts.Kind, err = record.ParseKind(o.kind); err != nil {
			return usageErr("--kind: %v", err)
		}
	}
	if o.limit < 0 {
		return usageErr("--limit %d: give a positive number", o.limit)
	}
	r, err := o.openAudit()
	if err != nil {
		return err
	}
	defer r.Close()
	evs, err := r.Log(ctx, opts)
	if err != nil {
		return &ExitError{ExitUsage, i18n.Errorf("reading the history: %w", err)}
	}
	if format == render.JSON {
		return render.WriteJSON(o.io.Out, struct {
			Events []eventJSON `json:"events"`
		}{eventsJSON(evs)})
	}
	return writeEvents(o.io.Out, evs, true, o.colors())
}

func parseDate(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, time.Local); err == nil {
		return t, nil
	}
	return time.Time{}, usageErr("--since %q is neither YYYY-MM-DD nor RFC 3339", s)
}
