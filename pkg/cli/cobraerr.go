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
