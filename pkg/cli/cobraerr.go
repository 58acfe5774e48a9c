package cli

import (
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/opsbook/opsbook/pkg/i18n"
)

// cobra writes its own usage errors (an unknown command or flag, a flag
// without its value) in English; cobraText puts the ones a reader meets
// into the reader's language, keeping the command, flag and suggestions.
// A wrong count of arguments is said again in English too, as a count
// (cobra hedges with arg(s) whatever the count: opsbook says 1 argument).
// The patterns are compiled on the first such error, not at every start.
var (
	cobraUnknownCommand = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^unknown command ("[^"]*") for ("[^"]*")`) })
	cobraUnknownFlag    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^unknown flag: (\S+)$`) })
	cobraUnknownShort   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^unknown shorthand flag: ('.') in (\S+)$`) })
	cobraNeedsArgument  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^flag needs an argument: (.+)$`) })
	// a flag's value pflag could not read: "invalid argument "abc" for
	// "-n, --limit" flag: strconv.ParseInt: parsing "abc": invalid syntax"
	cobraBadValue = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^invalid argument ("(?:[^"\\]|\\.)*") for "([^"]*)" flag: (.*)$`)
	})
	// the commands' argument counts (cobra.ExactArgs and the others)
	cobraArgs = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(?:accepts (\d+) arg\(s\), received (\d+)|requires at least (\d+) arg\(s\), only received (\d+)|accepts at most (\d+) arg\(s\), received (\d+)|accepts between (\d+) and (\d+) arg\(s\), received (\d+))$`)
	})
)

func cobraText(msg string) string {
	head, rest, _ := strings.Cut(msg, "\n")
	if m := cobraArgs().FindStringSubmatch(head); m != nil {
		return argsText(m)
	}
	if !i18n.IsChinese() {
		return msg
	}
	if m := cobraUnknownCommand().FindStringSubmatch(head); m != nil {
		head = i18n.Sprintf("unknown command %s for %s", m[1], m[2]) + head[len(m[0]):]
	} else if m := cobraUnknownFlag().FindStringSubmatch(head); m != nil {
		head = i18n.Sprintf("unknown flag: %s", m[1])
	} else if m := cobraUnknownShort().FindStringSubmatch(head); m != nil {
		head = i18n.Sprintf("unknown shorthand flag: %s in %s", m[1], m[2])
	} else if m := cobraNeedsArgument().FindStringSubmatch(head); m != nil {
		head = i18n.Sprintf("flag needs an argument: %s", m[1])
	} else if m := cobraBadValue().FindStringSubmatch(head); m != nil {
		head = badValueText(m[1], m[2], m[3])
	}
	if rest != "" {
		rest = strings.Replace(rest, "Did you mean this?", i18n.T("Did you mean this?"), 1)
		return head + "\n" + rest
	}
	return head
}

// badValueText is pflag's refusal of a flag's value in the reader's
// language: what the flag takes in words rather than Go's parse error; a
// value's own message (already the reader's, as --wait's) is kept.
func badValueText(value, flag, detail string) string {
	switch {
	case strings.HasPrefix(detail, "strconv.ParseInt:"), strings.HasPrefix(detail, "strconv.ParseUint:"):
		return i18n.Sprintf("flag %s takes a whole number, not %s", flag, value)
	case strings.HasPrefix(detail, "strconv.ParseFloat:"):
		return i18n.Sprintf("flag %s takes a number, not %s", flag, value)
	case strings.HasPrefix(detail, "strconv.ParseBool:"):
		return i18n.Sprintf("flag %s takes true or false, not %s", flag, value)
	case strings.HasPrefix(detail, "time:"):
		return i18n.Sprintf("flag %s takes a duration (10s, 1m), not %s", flag, value)
	}
	return i18n.Sprintf("flag %s: %s", flag, detail)
}

// argsText is cobra's refusal of a command's count of arguments (the
// submatches of cobraArgs) in the reader's language, counted in words.
func argsText(m []string) string {
	n := func(i int) int {
		v, _ := strconv.Atoi(m[i])
		return v
	}
	switch {
	case m[1] != "":
		return i18n.Plural(n(1), "accepts %d argument, received %d (see --help)", "accepts %d arguments, received %d (see --help)", n(1), n(2))
	case m[3] != "":
		return i18n.Plural(n(3), "requires at least %d argument, only received %d (see --help)", "requires at least %d arguments, only received %d (see --help)", n(3), n(4))
	case m[5] != "":
		return i18n.Plural(n(5), "accepts at most %d argument, received %d (see --help)", "accepts at most %d arguments, received %d (see --help)", n(5), n(6))
	}
	return i18n.Sprintf("accepts between %d and %d arguments, received %d (see --help)", n(7), n(8), n(9))
}
