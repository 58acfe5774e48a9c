package cli

import (
	"io"
	"os"

	"github.com/opsbook/opsbook/pkg/render"
	"golang.org/x/term"
)

// Streams are the command's input and outputs. Commands never touch
// os.Stdout directly, so tests run them with buffers.
type Streams struct {
	In      io.Reader
	Out     io.Writer
	Err     io.Writer
	OutTTY  bool
	ErrTTY  bool
	NoColor bool
	Width   int
	Getenv  func(string) string
}

// SystemStreams are the process's own.
func SystemStreams() *Streams {
	s := &Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, Getenv: os.Getenv}
	s.OutTTY = term.IsTerminal(int(os.Stdout.Fd()))
	s.ErrTTY = term.IsTerminal(int(os.Stderr.Fd()))
	if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil {
		s.Width = w
	}
	// no-color.org: set and not empty.
	s.NoColor = os.Getenv("NO_COLOR") != ""
	return s
}

// Colors for standard output: only on a terminal, never with NO_COLOR.
func (s *Streams) Colors() render.Colors {
	return render.Colors{Enabled: s.OutTTY && !s.NoColor}
}
