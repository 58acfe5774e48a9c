// Package cli wires opsbook's commands with cobra. Each verb is a file with
// an options struct, a constructor binding flags, and a run function calling
// the pkg/* packages; behaviour lives there, not here.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/opsbook/opsbook/pkg/audit"
	"github.com/opsbook/opsbook/pkg/change"
	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/crypt"
	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/gitstore"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/internal/heap"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/opsbook/opsbook/pkg/repo"
	"github.com/spf13/cobra"
)

// global holds the flags every command shares.
type global struct {
	dir     string
	output  string
	noColor bool
	// quietUnreadable: the command reports unreadable files itself.
	quietUnreadable bool
	// quietTwice: the command names an id stated by two files itself
	// (filedUnderID).
	quietTwice bool
	now        string
	noCache    bool
	lang       string
	wait       time.Duration
	io         *Streams
	// The reader's identity for encrypted fields, read on first use.
	idRead bool
	id     *crypt.Identity
	// attempt is what the writing command running is about, in the shape
	// of its -o json, for a refusal (refused_json.go); saidJSON: the
	// command wrote its -o json itself.
	attempt  func(refused []diagJSON) any
	saidJSON bool
}

// Main runs opsbook with a context cancelled by SIGINT, SIGTERM or SIGHUP
// (a closed terminal): a write then stops before its commit and puts the
// files back, or, past that point, completes; the lock is released either
// way.
//
// Main runs opsbook with the process's arguments and streams and returns the
// exit status.
func Main() int {
	heap.Floor(heapFloor)
	// A command is this program run alone: it may start a monitor as
	// itself (in-process callers, the tests, start none).
	repo.StartMonitor = startMonitorIfAsked
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	return Run(ctx, os.Args[1:], SystemStreams())
}

// heapFloor is the heap a command grows to before its first garbage
// collection (see package heap): above what one record's commands make at
// 100,000 records (about 60 MB), below the memory they are allowed (150
// MB, the index file's mapping and git's packs besides).
const heapFloor = 96 << 20

// Run runs opsbook with the given arguments and streams.
func Run(ctx context.Context, args []string, io *Streams) int {
	err := chooseLanguage(args, io)
	if err == nil {
		cmd := NewRoot(io)
		cmd.SetArgs(args)
		err = cmd.ExecuteContext(ctx)
	}
	if err == nil {
		return ExitOK
	}
	code := exitCode(err)
	var ee *ExitError
	if !errors.As(err, &ee) {
		fmt.Fprintf(io.Err, "opsbook: %s\n", cobraText(err.Error()))
	} else if ee.Err != nil {
		fmt.Fprintf(io.Err, "opsbook: %v\n", err)
	}
	return code
}

const rootLong = `opsbook keeps an operations department's projects, plans, complaints,
appraisals, budgets and expense claims as schema-checked YAML files in a git
repository, moves them through their workflows with a commit per change, and
answers questions about them.

Start with:  opsbook summary`

// NewRoot builds the command tree.
func NewRoot(io *Streams) *cobra.Command {
	g := &global{io: io}
	root := &cobra.Command{
		Use:           "opsbook <command> [flags]",
		Short:         i18n.T("Run an operations department on plain YAML files in git"),
		Long:          i18n.T(rootLong) + "\n" + exitHelp(),
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       currentBuild().String(),
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		for _, msg := range config.IgnoredEnv() {
			fmt.Fprintln(io.Err, "opsbook: "+i18n.Sprintf("warning: %s", msg))
		}
		if err := g.refuseSparse(cmd); err != nil {
			return err
		}
		g.warnBrokenPolicy(cmd)
		return nil
	}
	root.SetOut(io.Out)
	root.SetErr(io.Err)
	root.SetIn(io.In)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErr("%v (see `%s --help`)", cobraText(err.Error()), c.CommandPath())
	})
	pf := root.PersistentFlags()
	pf.StringVarP(&g.dir, "dir", "C", ".", i18n.T("run as if opsbook was started in `DIR`"))
	pf.StringVarP(&g.output, "output", "o", "", i18n.T("output `FORMAT`: text, json, ... (each command lists its own)"))
	pf.StringVar(&g.output, "format", "", i18n.T("alias of --output"))
	_ = pf.MarkHidden("format")
	pf.BoolVar(&g.noColor, "no-color", false, i18n.T("never colour the output (also: NO_COLOR)"))
	pf.StringVar(&g.now, "now", "", i18n.T("judge dates and SLA clocks as of `TIME` (RFC 3339 or YYYY-MM-DD; also OPSBOOK_NOW)"))
	_ = pf.MarkHidden("now")
	g.wait = change.DefaultWait
	pf.Var(waitValue{&g.wait}, "wait", i18n.T("how long a writing command waits for another opsbook's lock (`DURATION` such as 10s, or seconds; 0 fails at once)"))
	pf.Var(langValue{&g.lang}, "lang", i18n.T("language of labels, headers and messages: zh-Hant or en (default: LANG, then the policy's language)"))
	pf.BoolVar(&g.noCache, "no-cache", false, i18n.T("read and parse every record file; neither use nor write the cache in .git/opsbook"))

	root.AddCommand(
		newValidateCmd(g),
		newSchemaCmd(g),
		newRightsCmd(g),
		newSummaryCmd(g),
		newInboxCmd(g),
		newConfigCmd(g),
		newListCmd(g),
		newShowCmd(g),
		newReportCmd(g),
		newNewCmd(g),
		newSetCmd(g),
		newAssignCmd(g),
		newEditCmd(g),
		newMoveCmd(g),
		newRenumberCmd(g),
		newAttachCmd(g),
		newAttachmentCmd(g),
		newInitCmd(g),
		newHistoryCmd(g),
		newLogCmd(g),
		newVerifyCmd(g),
		newAllowedSignersCmd(g),
		newCodeownersCmd(g),
		newDoctorCmd(g),
		newVersionCmd(g),
		newEncryptCmd(g),
		newRekeyCmd(g),
		newReadersCmd(g),
		newMonitorCmd(g),
	)
	root.AddGroup(&cobra.Group{ID: "verbs", Title: i18n.T("Workflow verbs (each a move, like `opsbook move ID STATE`):")})
	root.AddCommand(newVerbCmds(g)...)
	addCompletions(g, root)
	for _, c := range root.Commands() {
		if writeCommands[c.Name()] || c.GroupID == "verbs" {
			sayRefusals(g, c)
		}
	}
	for _, c := range root.Commands() {
		if c.Annotations[longLater] == "" {
			withExitHelp(c)
		}
	}
	localizeHelp(root)
	wrapCommandList(root, io.ttyWidth())
	// known before cobra looks for the command: else `--help --lang en`
	// reads --lang as --help's value and en as a command
	root.InitDefaultHelpFlag()
	help := root.HelpFunc()
	root.SetHelpFunc(func(c *cobra.Command, args []string) {
		fillLong(c)
		long := c.Long
		c.Long = wrapLong(long, io.ttyWidth())
		help(c, args)
		c.Long = long
	})
	return root
}

// withExitHelp ends the Long of a command under the root with the exit
// statuses, unless it says them itself.
func withExitHelp(c *cobra.Command) {
	if !strings.Contains(c.Long, "Exit status:") && !strings.Contains(c.Long, exitHelp()) {
		c.Long += "\n" + exitHelp()
	}
}

// longLater is the annotation naming a Long built only when help shows it:
// list's lists every kind's derived fields, new's every kind's required
// fields from its schema and template, which is work most commands would
// do for nothing.
const longLater = "opsbook-long-later"

var laterLongs = map[string]func() string{
	"list": func() string { return i18n.T(listLong) + derivedHelp() + i18n.T(listLongTail) },
	"new":  func() string { return i18n.T(newLong) + requiredHelp() },
}

// fillLong builds c's Long if it is one built later.
func fillLong(c *cobra.Command) {
	if build := laterLongs[c.Annotations[longLater]]; build != nil && c.Long == "" {
		c.Long = build()
		withExitHelp(c)
	}
}

// format resolves -o against what a command offers.
func (g *global) format(allowed ...render.Format) (render.Format, error) {
	f, err := render.ParseFormat(g.output, allowed...)
	if err != nil {
		return "", usage(err)
	}
	return f, nil
}

func (g *global) colors() render.Colors {
	c := g.io.Colors()
	if g.noColor {
		c.Enabled = false
	}
	return c
}

// clock returns the moment to judge against: --now, OPSBOOK_NOW, or now,
// to the second (the instants of the records are; a running SLA clock or a
// complaint's age in -o json is "470h44m37s", not a different count of
// nanoseconds at every run).
func (g *global) clock() (time.Time, error) {
	s := g.now
	if s == "" && g.io.Getenv != nil {
		s = g.io.Getenv("OPSBOOK_NOW")
	}
	if s == "" {
		return time.Now().Truncate(time.Second), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, time.Local); err == nil {
		return t, nil
	}
	return time.Time{}, usageErr("--now %q is neither RFC 3339 nor YYYY-MM-DD", s)
}

// load returns the moment to judge against and the loaded repository.
func (g *global) load(ctx context.Context) (time.Time, *repo.Repo, error) {
	now, err := g.clock()
	if err != nil {
		return time.Time{}, nil, err
	}
	r, err := g.open(ctx)
	return now, r, err
}

// loadAround is load for a command about one record: the record and the
// records around it, from the index (repo.LoadAround), or the whole
// department when they cannot stand in for it or --no-cache is given.
func (g *global) loadAround(ctx context.Context, id string) (time.Time, *repo.Repo, error) {
	now, err := g.clock()
	if err != nil {
		return time.Time{}, nil, err
	}
	if !g.noCache {
		r, err := repo.LoadAround(ctx, g.dir, id)
		var none *repo.NoRecord
		switch {
		case err == nil:
			g.warnUnreadable(r)
			g.warnInterrupted(r.Root)
			return now, r, nil
		case errors.As(err, &none):
			// what the full read says of it, without reading it
			g.warnInterrupted(none.Root)
			return now, nil, usageErr("no record with id %q%s", id, similarIDs(none.IDs, id))
		}
	}
	r, err := g.open(ctx)
	return now, r, err
}

// loadKinds is load for a command that reads only the records of these
// kinds and reports no loading problems: other kinds' folders are not read.
func (g *global) loadKinds(ctx context.Context, kinds ...record.Kind) (time.Time, *repo.Repo, error) {
	now, err := g.clock()
	if err != nil {
		return time.Time{}, nil, err
	}
	r, err := g.openWith(ctx, repo.Options{Kinds: kinds, RecordsOnly: true})
	return now, r, err
}

// openRecord is what a command about one record shown as text, JSON or
// YAML does first: the output format, the repository loaded and the
// record found (an unknown id is a usage error).
func (g *global) openRecord(ctx context.Context, id string) (render.Format, *repo.Repo, *record.Record, error) {
	format, err := g.format(render.Text, render.JSON, render.YAML)
	if err != nil {
		return format, nil, nil, err
	}
	g.quietTwice = true
	r, err := g.open(ctx)
	if err != nil {
		return format, nil, nil, err
	}
	rec, err := r.Find(id)
	if err != nil {
		return format, nil, nil, usage(err)
	}
	if rec, err = filedUnderID(g.io.Err, r, rec, false); err != nil {
		return format, nil, nil, err
	}
	return format, r, rec, nil
}

// open loads the repository; failing to read it is exit status 2.
func (g *global) open(ctx context.Context) (*repo.Repo, error) {
	return g.openWith(ctx, repo.Options{})
}

// openListed is open for a command that looked for its memo with the
// refreshed index (found.d) and found none: the department is read as
// that index lists it, without listing and statting it again
// (repo.Options.Listed), so what is read is what found.fp names.
func (g *global) openListed(ctx context.Context, found memoFound) (*repo.Repo, error) {
	return g.openWith(ctx, repo.Options{Listed: found.d})
}

func (g *global) openWith(ctx context.Context, o repo.Options) (*repo.Repo, error) {
	o.NoCache = g.noCache
	if g.io.ErrTTY && g.output != "json" {
		p := render.NewProgress(g.io.Err, i18n.T("reading records"))
		defer p.Done()
		o.Progress = p.Update
	}
	r, err := repo.OpenWith(ctx, g.dir, o)
	if err != nil {
		if errors.Is(err, config.ErrNotFound) {
			return nil, usage(err)
		}
		return nil, &ExitError{ExitUsage, i18n.Errorf("reading the repository: %w", err)}
	}
	g.warnUnreadable(r)
	g.warnInterrupted(r.Root)
	r.LeftAtClose = audit.LeftAtClose(r.Root)
	return r, nil
}

// answersFromPolicy are the commands whose answers read the policy and
// do not report its errors themselves: validate lists them as findings, a
// write refuses with them, init writes the policy.
var answersFromPolicy = map[string]bool{
	"summary": true, "list": true, "show": true, "report": true, "inbox": true,
	"history": true, "log": true, "readers": true, "rights": true, "codeowners": true,
	"verify": true, "config": true, "allowed-signers": true, "doctor": true,
}

// readsNoWorkTree are the commands that read no record file of the work
// tree: the history (git's objects), the policy alone, the helpers.
var readsNoWorkTree = map[string]bool{
	"init": true, "help": true, "completion": true, "doctor": true, "verify": true,
	"history": true, "log": true, "monitor": true, "config": true, "version": true,
}

// refuseSparse refuses a command that reads the department's files in a
// sparse checkout that leaves some of them out (gitstore.SparseOmits):
// its answer, or the write it judges, would be of a department without
// them. Only the records folder, the attachments and the policy count:
// a checkout of those alone is the whole department.
func (g *global) refuseSparse(cmd *cobra.Command) error {
	top := cmd
	for top.HasParent() && top.Parent().HasParent() {
		top = top.Parent()
	}
	if !top.HasParent() || readsNoWorkTree[top.Name()] {
		return nil
	}
	root, err := config.FindRoot(g.dir)
	if err != nil {
		return nil // the command says so itself
	}
	records := "records"
	if pol, _, err := config.Load(root); err == nil && pol.Records != "" {
		records = pol.Records
	}
	out, err := gitstore.SparseOmits(root, []string{strings.TrimSuffix(records, "/") + "/", "attachments/", config.FileName})
	if err != nil || len(out) == 0 {
		return nil
	}
	// a sparse index holds a folder left out whole as one entry: counted
	// as a folder, its files unknown
	files, folders := 0, 0
	for _, p := range out {
		if gitstore.SparseFolder(p) {
			folders++
		} else {
			files++
		}
	}
	var what any
	switch {
	case folders == 0:
		what = i18n.P("%d of the department's files", files)
	case files == 0:
		what = i18n.P("%d of the department's folders", folders)
	default:
		what = i18n.P("%d of the department's files and %d of its folders", files, folders)
	}
	first := any(out[0])
	if len(out) > 1 {
		first = i18n.P("%s, ...", out[0])
	}
	return usageErr("this work tree is a sparse checkout that leaves out %s (%s): opsbook judges the whole department, so it needs them all; `git sparse-checkout disable` puts them back (or add %s/ and attachments/ to the sparse set)", what, first, strings.TrimSuffix(records, "/"))
}

// warnBrokenPolicy says, before a reading command answers, that the
// policy file has errors: its defaults stand for the keys it cannot read
// (for a syntax error, the whole file), so the answer may not follow the
// department's rules (a lowered approval limit read as the default).
func (g *global) warnBrokenPolicy(cmd *cobra.Command) {
	top := cmd
	for top.HasParent() && top.Parent().HasParent() {
		top = top.Parent()
	}
	if !answersFromPolicy[top.Name()] {
		return
	}
	root, err := config.FindRoot(g.dir)
	if err != nil {
		return
	}
	_, pds, err := config.Load(root)
	if err != nil {
		return
	}
	for _, d := range pds {
		if d.Severity == diag.Error {
			fmt.Fprintln(g.io.Err, "opsbook: "+i18n.Sprintf("warning: the policy %s has errors, so its defaults stand for what it cannot say: this answer may not follow the department's rules (opsbook validate %s)", config.FileName, config.FileName))
			return
		}
	}
}
