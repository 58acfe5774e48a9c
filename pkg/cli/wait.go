package cli

import (
	"strconv"
	"time"

	"github.com/opsbook/opsbook/pkg/i18n"
)

// waitValue is --wait: a Go duration ("10s", "1m30s") or, as people type
// it, a bare number of seconds ("5", "0.5").
type waitValue struct{ d *time.Duration }

func (w waitValue) String() string {
	if w.d == nil {
		return ""
	}
	return w.d.String()
}

func (w waitValue) Set(s string) error {
	if secs, err := strconv.ParseFloat(s, 64); err == nil {
		if secs < 0 {
			return i18n.Errorf("%q is negative: the wait is 0 (fail at once) or more", s)
		}
		*w.d = time.Duration(secs * float64(time.Second))
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return i18n.Errorf("%q is not a duration: write seconds (5) or a duration (10s, 1m)", s)
	}
	if d < 0 {
		return i18n.Errorf("%q is negative: the wait is 0 (fail at once) or more", s)
	}
	*w.d = d
	return nil
}

func (waitValue) Type() string { return "duration" }
