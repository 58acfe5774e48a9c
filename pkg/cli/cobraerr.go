package cli

import (
	"regexp"
	"strings"
	"sync"

	"github.com/opsbook/opsbook/pkg/i18n"
)

// cobra writes its own usage errors (an unknown command or flag, a flag
// without its value) in English; cobraText puts the ones a reader meets
// into the reader's language, keeping the command, flag and suggestions.
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
	if !i18n.IsChinese() {
		return msg
	}
	head, rest, _ := strings.Cut(msg, "\n")
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
	} else if m := cobraArgs().FindStringSubmatch(head); m != nil {
		switch {
		case m[1] != "":
			head = i18n.Sprintf("accepts %s arg(s), received %s", m[1], m[2])
		case m[3] != "":
			head = i18n.Sprintf("requires at least %s arg(s), only received %s", m[3], m[4])
		case m[5] != "":
			head = i18n.Sprintf("accepts at most %s arg(s), received %s", m[5], m[6])
		default:
			head = i18n.Sprintf("accepts between %s and %s arg(s), received %s", m[7], m[8], m[9])
		}
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
