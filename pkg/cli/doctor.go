package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/opsbook/opsbook/pkg/change"
	"github.com/opsbook/opsbook/pkg/gitstore"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/spf13/cobra"
)

type doctorOpts struct {
	*global
	dryRun bool
}

// doctorLong is the longer help of doctor, keyed in the help catalog.
const doctorLong = `Doctor takes the repository's lock and repairs what a stopped opsbook
(kill -9, a closed terminal, a power cut) can leave behind. Every writing
command does the same by itself before it starts; doctor does it by hand and
says what it found:

  stale-lock          the lock of an opsbook process that is gone (taken over)
  live-lock           (-o json only, with exit 75) the lock of a running
                      opsbook, waited for (--wait) and left alone
  foreign-lock        the lock of an opsbook on another host (never broken)
  interrupted-change  a change stopped half-way: finished when its commit
                      was made, undone otherwise
  git-lock            git's index.lock or a branch's .lock that opsbook made
                      (a lock a running git process holds is never touched)
  git-busy            git's index.lock or the branch's .lock that opsbook did
                      not make: a running git holds it or a stopped one left
                      it; never removed, so reported as not repaired
  leftover-temp       a temporary file of an atomic write, or the temporary
                      folder ($TMPDIR/opsbook-edit-N) of an edit whose
                      process is gone (it holds the record in clear)
  staged-revert       the git index stages the old content of a file that
                      HEAD, an opsbook commit, changed (a plain git commit
                      would silently undo it)

Output (-o): text, json.

Exit status: 0 when everything found was repaired (or nothing was found),
1 when something could not be repaired, 75 when a live opsbook holds the
lock, 2 when the repository cannot be read.`

func newDoctorCmd(g *global) *cobra.Command {
	o := &doctorOpts{global: g}
	cmd := &cobra.Command{
		Use:   "doctor [--dry-run]",
		Short: i18n.T("Find and repair what an interrupted opsbook left behind"),
		Long:  i18n.T(doctorLong),
		Example: `  opsbook doctor
  opsbook doctor --dry-run -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDoctor(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.dryRun, "dry-run", false, i18n.T("only say what would be repaired"))
	return cmd
}

// codeLiveLock reports, in -o json, the lock of a running opsbook that
// doctor waited for and did not touch.
const codeLiveLock = "live-lock"

type doctorJSON struct {
	Findings   []change.Finding `json:"findings"`
	Unrepaired int              `json:"unrepaired"`
}

func runDoctor(ctx context.Context, o *doctorOpts) error {
	format, err := o.format(render.Text, render.JSON)
	if err != nil {
		return err
	}
	fs, err := change.Doctor(ctx, o.dir, o.wait, !o.dryRun)
	var busy *gitstore.BusyError
	if errors.As(err, &busy) && format == render.JSON {
		// Scripts read stdout: say in JSON what holds the repository,
		// then exit 75 as every command does while a live lock is held.
		msg, _ := busy.Texts()
		live := gitstore.Finding{Code: codeLiveLock, Path: busy.Path, Message: msg}
		if werr := render.WriteJSON(o.io.Out, doctorJSON{[]change.Finding{live}, 1}); werr != nil {
			return werr
		}
	}
	if err != nil {
		return writeErr(err)
	}
	// an edit killed here, or anywhere: its folder in $TMPDIR
	fs = append(fs, staleEditDirs(!o.dryRun)...)
	if fs == nil {
		fs = []change.Finding{}
	}
	bad := 0
	for _, f := range fs {
		if !f.Repaired {
			bad++
		}
	}
	if format == render.JSON {
		if err := render.WriteJSON(o.io.Out, doctorJSON{fs, bad}); err != nil {
			return err
		}
	} else {
		for _, f := range fs {
			state := i18n.T("repaired")
			if !f.Repaired {
				state = i18n.T("NOT repaired")
				if o.dryRun && f.Code != change.CodeForeignLock && f.Code != change.CodeGitBusy {
					state = i18n.T("to repair")
				}
			}
			fmt.Fprintf(o.io.Out, "%s: %s: %s [%s]\n", f.Path, state, f.Human(), f.Code)
		}
		if len(fs) == 0 {
			fmt.Fprintln(o.io.Err, i18n.T("nothing to repair"))
		}
	}
	if bad > 0 && !o.dryRun {
		return findings
	}
	return nil
}
