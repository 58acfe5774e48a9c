package render

import (
	"fmt"
	"io"
	"time"
)

// Progress shows how far a long step has got, on one line of a terminal
// (standard error): nothing for the first moment, so quick runs stay quiet,
// then "reading records 45,000/100,000" redrawn in place, cleared when done.
// The caller shows it only when the stream is a terminal.
type Progress struct {
	w     io.Writer
	label string
	start time.Time
	// Delay is how long the step runs before the line appears.
	Delay time.Duration
	shown bool
	last  time.Time
}

// NewProgress starts a progress line for a step named label.
func NewProgress(w io.Writer, label string) *Progress {
	return &Progress{w: w, label: label, start: time.Now(), Delay: 300 * time.Millisecond}
}

// Update redraws the line with done of total; call it from one goroutine.
func (p *Progress) Update(done, total int) {
	now := time.Now()
	if now.Sub(p.start) < p.Delay || (p.shown && now.Sub(p.last) < 50*time.Millisecond && done < total) {
		return
	}
	p.shown, p.last = true, now
	pct := 100
	if total > 0 {
		pct = done * 100 / total
	}
	fmt.Fprintf(p.w, "\r%s %s/%s (%d%%)\x1b[K", p.label, grouped(done), grouped(total), pct)
}

// Done clears the line, if it was shown.
func (p *Progress) Done() {
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.shown = false
	}
}

func grouped(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
