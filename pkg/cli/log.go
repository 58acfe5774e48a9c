package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/opsbook/opsbook/pkg/config"

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
	if len(evs) == 0 && o.actor != "" && !isPerson(r, o.dir, o.actor) {
		// a mistyped handle: exit 2, as inbox --for says it
		return usageErr(msgLogNoPerson, o.actor)
	}
	if root, err := config.FindRoot(o.dir); err == nil {
		hideEncrypted(root, evs)
	}
	if format == render.JSON {
		return render.WriteJSON(o.io.Out, struct {
			Events []eventJSON `json:"events"`
		}{eventsJSON(evs)})
	}
	if len(evs) == 0 {
		// nothing on standard output, as a script expects; the reason on
		// standard error, so that an empty feed is not mistaken for a fault
		switch {
		case o.actor != "" && o.since == "" && o.kind == "":
			fmt.Fprintln(o.io.Err, i18n.Sprintf(msgLogNoneBy, o.actor))
		case o.actor != "" || o.since != "" || o.kind != "":
			fmt.Fprintln(o.io.Err, i18n.T(msgLogNoneMatch))
		default:
			fmt.Fprintln(o.io.Err, i18n.T(msgLogNone))
		}
		return nil
	}
	return writeEvents(o.io.Out, evs, true, o.colors(), o.textWidth())
}

// isPerson reports whether handle names a person: in the people records
// committed at HEAD, or in the work tree's (one not committed yet).
func isPerson(r *audit.Repo, dir, handle string) bool {
	if ok, err := r.PersonAt("HEAD", handle); err == nil && ok {
		return true
	}
	if !record.ValidID(record.Person, handle) {
		return false
	}
	root, err := config.FindRoot(dir)
	if err != nil {
		return false
	}
	pol, _, err := config.Load(root)
	if err != nil || pol == nil {
		return false
	}
	fi, err := os.Stat(filepath.Join(root, pol.Records, "people", handle+".yaml"))
	return err == nil && fi.Mode().IsRegular()
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
