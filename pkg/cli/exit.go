package cli

import (
	"errors"
	"fmt"

	"github.com/opsbook/opsbook/pkg/i18n"
)

// Exit statuses, the same for every command.
const (
	ExitOK       = 0
	ExitFindings = 1  // validation or verification found errors
	ExitUsage    = 2  // usage error, or the repository cannot be read
	ExitRefused  = 3  // refused by the rules
	ExitBusy     = 75 // another opsbook holds the repository's lock
)

const exitStatusHelp = `
Exit status:
  0   done
  1   validation or verification found errors
  2   usage error, or the repository cannot be read
  3   refused by the rules (role, limit, four eyes, illegal move, unknown
      person, a field the state needs, a record in a final state, budget)
  75  busy: another opsbook holds the repository's lock`

// exitHelp is exitStatusHelp in the reader's language.
func exitHelp() string { return i18n.T(exitStatusHelp) }

// ExitError carries an exit status. A nil Err means the command already
// said what it had to (e.g. validate printed its findings).
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// usageErr is a usage error (exit status 2) in the reader's language.
// i18n:format 0
func usageErr(format string, args ...any) error {
	return &ExitError{ExitUsage, i18n.Errorf(format, args...)}
}

// usageText is text, already in the reader's language, as a usage error.
func usageText(text string) error { return &ExitError{ExitUsage, errors.New(text)} }

// usage is err, already in the reader's language, as a usage error.
func usage(err error) error { return &ExitError{ExitUsage, err} }

func refused(err error) error { return &ExitError{ExitRefused, err} }

// findings ends a command whose output already lists what was wrong.
var findings = &ExitError{Code: ExitFindings}

func exitCode(err error) int {
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return ExitUsage
}
