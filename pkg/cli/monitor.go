package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/opsbook/opsbook/pkg/cache"
	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/gitstore"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/monitor"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/opsbook/opsbook/pkg/repo"
	"github.com/spf13/cobra"
)

// monitorLong is the longer help of monitor, keyed in the help catalog.
const monitorLong = `Monitor starts, stops and shows the file-system monitor of this
department: a background process that watches the records folder and tells
each command which record files changed since the command before it. With
it, a command about one record takes the stat data of the files that
changed, not of every file: in a large department (100,000 records) that is
most of the time such a command takes.

A command that gets no answer from the monitor, or an answer it cannot use
(the monitor was started since, a folder was made or renamed, too many
changes), lists and stats every file as it does without a monitor: the
monitor can make a command faster, never its answer different.

The monitor does not see writes through a memory map, nor changes made
through a second name of a file (a hard link from outside the folder):
files with more than one name are always statted.

It runs until ` + "`opsbook monitor stop`" + `, a SIGTERM, SIGINT or SIGHUP, or
until the repository's .git folder goes away. Linux only.

With git config opsbook.monitor true (in the repository's config, or
--global for every department on the machine), a command that finds no
monitor running starts one in the background itself, as git's
core.fsmonitor does; after ` + "`opsbook monitor stop`" + `, or a start that
failed, none is started again for ten minutes.

Output (-o) of status: text, json.

Exit status: 0 done; 1 (status) no monitor runs; 2 it cannot start.`

// monitorStartLong is the longer help of monitor start.
const monitorStartLong = `Start runs the monitor in the background for the department of the
current folder and waits until it answers. Nothing is done when one
already runs. Its messages go to .git/opsbook/monitor.log.`

// monitorStopLong is the longer help of monitor stop.
const monitorStopLong = `Stop asks the monitor to stop and waits until it has. Commands then list
and stat every record file again.`

// monitorStatusLong is the longer help of monitor status.
const monitorStatusLong = `Status says whether a monitor runs for this department: its process,
the folders it watches, since when, and how many events it has read.
Exit status 1 when none runs.`

func newMonitorCmd(g *global) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "monitor",
		Short: i18n.T("Start, stop or show the file-system monitor that speeds up commands"),
		Long:  i18n.T(monitorLong),
		Example: `  opsbook monitor start
  opsbook monitor status -o json
  opsbook monitor stop`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(
		&cobra.Command{
			Use:   "start",
			Long:  i18n.T(monitorStartLong),
			Short: i18n.T("Start the monitor in the background (nothing to do when it runs)"),
			Args:  cobra.NoArgs,
			RunE:  func(cmd *cobra.Command, args []string) error { return runMonitorStart(g) },
		},
		&cobra.Command{
			Use:   "stop",
			Long:  i18n.T(monitorStopLong),
			Short: i18n.T("Stop the monitor"),
			Args:  cobra.NoArgs,
			RunE:  func(cmd *cobra.Command, args []string) error { return runMonitorStop(g) },
		},
		&cobra.Command{
			Use:   "status",
			Long:  i18n.T(monitorStatusLong),
			Short: i18n.T("Say whether the monitor runs, and what it watches"),
			Args:  cobra.NoArgs,
			RunE:  func(cmd *cobra.Command, args []string) error { return runMonitorStatus(g) },
		},
		&cobra.Command{
			Use:    "run",
			Short:  i18n.T("Run the monitor in the foreground (what start runs)"),
			Args:   cobra.NoArgs,
			Hidden: true,
			RunE:   func(cmd *cobra.Command, args []string) error { return runMonitorRun(cmd.Context(), g) },
		},
	)
	return cmd
}

// monitorPlace finds the department's root, records folder and cache
// folder, or says why it has none.
func monitorPlace(g *global) (root, records, dir string, err error) {
	root, err = config.FindRoot(g.dir)
	if err != nil {
		return "", "", "", usage(err)
	}
	pol, _, err := config.Load(root)
	if err != nil {
		return "", "", "", usage(err)
	}
	dir = cache.Dir(root)
	if dir == "" {
		return "", "", "", usageErr("%s is not in a git repository: the monitor keeps its socket in .git/opsbook", root)
	}
	return root, pol.Records, dir, nil
}

func runMonitorStart(g *global) error {
	if !monitor.Supported {
		return usageErr("the file-system monitor is built for Linux only")
	}
	root, _, dir, err := monitorPlace(g)
	if err != nil {
		return err
	}
	if st, err := monitor.StatusOf(dir); err == nil {
		fmt.Fprintln(g.io.Out, i18n.Plural(st.Folders, "the monitor already runs (process %d, %d folder)", "the monitor already runs (process %d, %d folders)", st.PID, st.Folders))
		return nil
	} else if err != monitor.ErrNotRunning {
		// a process listens on the socket and does not answer (stopped,
		// say): another monitor could not take its place
		return usageErr("a monitor's socket is there but it does not answer: %v", err)
	}
	exe, err := os.Executable()
	if err != nil {
		return usage(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return usage(err)
	}
	logPath := filepath.Join(dir, monitor.LogName)
	log, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return usage(err)
	}
	defer log.Close()
	c := exec.Command(exe, "monitor", "run", "--dir", root)
	c.Stdout, c.Stderr = log, log
	detach(c)
	if err := c.Start(); err != nil {
		return usage(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- c.Wait() }()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if st, err := monitor.StatusOf(dir); err == nil {
			fmt.Fprintln(g.io.Out, i18n.Plural(st.Folders, "the monitor runs (process %d, %d folder)", "the monitor runs (process %d, %d folders)", st.PID, st.Folders))
			return nil
		}
		select {
		case <-exited:
			return usageErr("the monitor stopped at once; see %s", logPath)
		case <-time.After(20 * time.Millisecond):
		}
	}
	return usageErr("the monitor did not answer; see %s", logPath)
}

func runMonitorStop(g *global) error {
	_, _, dir, err := monitorPlace(g)
	if err != nil {
		return err
	}
	err = monitor.Stop(dir)
	if err != nil && err != monitor.ErrNotRunning {
		return usage(err)
	}
	// stopped on purpose (or asked to be, one that died): a command does
	// not start it again at once (git config opsbook.monitor), as after a
	// start that failed
	_ = os.WriteFile(filepath.Join(dir, startedName), []byte(time.Now().Format(time.RFC3339)+"\n"), 0o644)
	if err == monitor.ErrNotRunning {
		fmt.Fprintln(g.io.Out, i18n.T("no monitor runs"))
		return nil
	}
	fmt.Fprintln(g.io.Out, i18n.T("the monitor stopped"))
	return nil
}

// monitorStatusJSON is `monitor status -o json`.
type monitorStatusJSON struct {
	Running bool            `json:"running"`
	Monitor *monitor.Status `json:"monitor,omitempty"`
	// Error: a socket is there but no answer came
	Error string `json:"error,omitempty"`
}

func runMonitorStatus(g *global) error {
	format, err := g.format(render.Text, render.JSON)
	if err != nil {
		return err
	}
	_, _, dir, err := monitorPlace(g)
	if err != nil {
		return err
	}
	st, err := monitor.StatusOf(dir)
	if format == render.JSON {
		out := monitorStatusJSON{Running: err == nil}
		if err == nil {
			out.Monitor = &st
		} else if err != monitor.ErrNotRunning {
			out.Error = i18n.EnglishOf(err)
		}
		if werr := render.WriteJSON(g.io.Out, out); werr != nil {
			return werr
		}
		if err != nil {
			return &ExitError{Code: ExitFindings}
		}
		return nil
	}
	if err == monitor.ErrNotRunning {
		fmt.Fprintln(g.io.Out, i18n.T("no monitor runs"))
		return &ExitError{Code: ExitFindings}
	}
	if err != nil {
		// a socket no process answers on in time: commands list every file
		fmt.Fprintln(g.io.Out, i18n.Sprintf("a monitor's socket is there but it does not answer: %v; every command lists every file", err))
		return &ExitError{Code: ExitFindings}
	}
	fmt.Fprintln(g.io.Out, i18n.Plural(st.Folders, "the monitor runs (process %d, %d folder)", "the monitor runs (process %d, %d folders)", st.PID, st.Folders))
	fmt.Fprintln(g.io.Out, i18n.Sprintf("since %s; %s; %s", st.Since.Local().Format("2006-01-02 15:04:05"),
		i18n.Plural(int(min(st.Events, 1<<30)), "%d event read", "%d events read", st.Events),
		i18n.Plural(st.Resets, "watched every folder anew %d time", "watched every folder anew %d times", st.Resets)))
	return nil
}

func runMonitorRun(ctx context.Context, g *global) error {
	root, records, dir, err := monitorPlace(g)
	if err != nil {
		return err
	}
	logf := func(format string, args ...any) {
		fmt.Fprintf(g.io.Err, "%s %s\n", time.Now().Format(time.RFC3339), fmt.Sprintf(format, args...))
	}
	// SIGTERM, SIGINT or SIGHUP (a shutdown, a kill, a closed terminal)
	// stops it as `monitor stop` does: it is asked on its own socket, so
	// it removes the socket and lets go of its lock before it exits.
	ran := make(chan struct{})
	defer close(ran)
	go func() {
		select {
		case <-ctx.Done():
			for ctx.Err() != nil {
				err := monitor.Stop(dir)
				if err == nil || errors.Is(err, monitor.ErrNotRunning) && !monitor.Held(dir) {
					return
				}
				select { // not listening yet: ask again shortly
				case <-ran:
					return
				case <-time.After(50 * time.Millisecond):
				}
			}
		case <-ran:
		}
	}()
	if err := monitor.Run(root, records, dir, logf); err != nil {
		return usage(err)
	}
	return nil
}

// startedName is the file a command touches in the cache folder when it
// starts a monitor (startMonitorIfAsked).
const startedName = "monitor.started"

// autoStartBackoff: a monitor a command started that does not run this
// long after is taken not to start here (a network file system, no
// watches left: monitor.log says why); no command starts another before
// then.
const autoStartBackoff = 10 * time.Minute

// startMonitorIfAsked starts the monitor of the department at root (its
// cache folder dir) in the background, as ` + "`opsbook monitor start`" + ` does
// but without waiting for it, when git config opsbook.monitor is true:
// the setting of the person at the machine (as git's core.fsmonitor),
// never of the repository. It is called by a command that found none
// running and none starting (repo.StartMonitor); that command lists every
// file itself, and the ones after it take the monitor's word.
func startMonitorIfAsked(root, dir string) {
	marker := filepath.Join(dir, startedName)
	if fi, err := os.Stat(marker); err == nil && recentStart(fi) {
		return
	}
	g, err := gitstore.Open(root)
	if err != nil || !g.ConfigBool("opsbook.monitor", false) {
		return
	}
	exe, err := os.Executable()
	if err != nil || os.MkdirAll(dir, 0o755) != nil {
		return
	}
	// commands finding none at once start one between them
	if !claimStart(marker) {
		return
	}
	// non-blocking: a named pipe put in the log's place (no reader) is
	// refused, not waited on
	log, err := os.OpenFile(filepath.Join(dir, monitor.LogName), os.O_WRONLY|os.O_CREATE|os.O_APPEND|syscall.O_NONBLOCK, 0o644)
	if err != nil {
		return
	}
	if fi, err := log.Stat(); err != nil || !fi.Mode().IsRegular() {
		log.Close()
		return
	}
	defer log.Close()
	if spawnMonitor(exe, root, log) == nil {
		repo.Trace("monitor: started one in the background (git config opsbook.monitor)")
	}
}

// recentStart tells whether the marker fi (startedName) says a monitor
// was started, or stopped, less than autoStartBackoff ago. An empty one
// is a claim being made (claimStart).
func recentStart(fi os.FileInfo) bool {
	age := time.Since(fi.ModTime())
	return fi.Size() > 0 && age < autoStartBackoff && age > -autoStartBackoff
}

// spawnMonitor starts `exe monitor run` for the department at root in
// the background, its messages to log; a variable for tests.
var spawnMonitor = func(exe, root string, log *os.File) error {
	c := exec.Command(exe, "monitor", "run", "--dir", root)
	c.Stdout, c.Stderr = log, log
	detach(c)
	if err := c.Start(); err != nil {
		return err
	}
	return c.Process.Release()
}
