package cli

import (
	"io"
	"os"
	"strconv"

	"github.com/opsbook/opsbook/pkg/render"
	"golang.org/x/term"
)

// Streams are the command's input and outputs. Commands never touch
// os.Stdout directly, so tests run them with buffers.
type Streams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
	// InTTY: standard input is a terminal (an editor can be opened).
	InTTY   bool
	OutTTY  bool
	ErrTTY  bool
	NoColor bool
	// Width of the terminal in cells (COLUMNS overrides; 0: unknown):
	// boxed tables are cut to fit it.
	Width  int
	Getenv func(string) string
}

// SystemStreams are the process's own.
func SystemStreams() *Streams {
	s := &Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, Getenv: os.Getenv}
	s.InTTY = term.IsTerminal(int(os.Stdin.Fd()))
	s.OutTTY = term.IsTerminal(int(os.Stdout.Fd()))
	s.ErrTTY = term.IsTerminal(int(os.Stderr.Fd()))
	if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil {
		s.Width = w
	}
	// COLUMNS, as ls and git read it, overrides the terminal's width (and
	// lets a script or a test ask for a width).
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		s.Width = n
	}
	// no-color.org: set and not empty.
	s.NoColor = os.Getenv("NO_COLOR") != ""
	return s
}

// ttyWidth is the width prose and fields are wrapped at: the terminal's,
// or 0 (no limit) when standard output is not a terminal.
func (s *Streams) ttyWidth() int {
	if !s.OutTTY {
		return 0
	}
	return s.Width
}

// Colors for standard output: only on a terminal, never with NO_COLOR.
func (s *Streams) Colors() render.Colors {
	return render.Colors{Enabled: s.OutTTY && !s.NoColor}
}
