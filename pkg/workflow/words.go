package workflow

import (
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
)

// The helpers below hand names and phrases to refusals as message
// arguments that print in English in the refusal's Message and in the
// reader's language in its Text (see i18n.Both).

// words names the actor with their role, "li.wei (manager)".
func (a Actor) words() any {
	switch {
	case a.Handle == "":
		return i18n.P("an unknown actor")
	case a.Role == "":
		return a.Handle
	}
	return i18n.P("%s (%s)", a.Handle, roleWord(a.Role))
}

func roleWord(r Role) i18n.Word { return i18n.Word{Group: "role", Key: string(r)} }

func stateWord(s string) any {
	if s == "" {
		return i18n.P("(none)")
	}
	return i18n.Word{Group: "state", Key: s}
}

func kindWord(k record.Kind) i18n.Word { return i18n.Word{Group: "kind", Key: string(k)} }

// stateWords lists states as terms: "draft, submitted".
func stateWords(states []string) i18n.Joined {
	items := make([]any, len(states))
	for i, s := range states {
		items[i] = stateWord(s)
	}
	return i18n.Join(i18n.P(", "), items...)
}

// orNoneWord is s, or "(none)".
func orNoneWord(s string) any {
	if s == "" {
		return i18n.P("(none)")
	}
	return s
}

// stateList is states as terms, for joinOr.
func stateList(states []string) []any {
	out := make([]any, len(states))
	for i, s := range states {
		out[i] = stateWord(s)
	}
	return out
}
