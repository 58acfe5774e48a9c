package cli

import (
	"strings"
	"testing"
)

func complete(t *testing.T, args ...string) []string {
	t.Helper()
	out, _, code := run(t, false, true, append([]string{"__complete"}, args...)...)
	if code != 0 {
		t.Fatalf("%v: exit %d", args, code)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.HasPrefix(l, ":") {
			got = append(got, strings.SplitN(l, "\t", 2)[0])
		}
	}
	return got
}

func has(list []string, want ...string) bool {
	set := map[string]bool{}
	for _, l := range list {
		set[l] = true
	}
	for _, w := range want {
		if !set[w] {
			return false
		}
	}
	return true
}

func TestCompletion(t *testing.T) {
	// someone the department does not know (offered every move), whoever
	// the checkout's git identity is: what a verb offers depends on who asks
	t.Setenv("GIT_AUTHOR_EMAIL", "nobody@example.invalid")
	if got := complete(t, "list", ""); !has(got, "complaint", "expense", "person") {
		t.Errorf("list kinds: %v", got)
	}
	if got := complete(t, "new", ""); !has(got, "plan", "budget") {
		t.Errorf("new kinds: %v", got)
	}
	if got := complete(t, "show", ""); !has(got, "CMP-2026-0009", "EXP-2026-0027", "li.wei") {
		t.Errorf("show ids: %v", got)
	}
	// attachment: a record, then the names of its files
	if got := complete(t, "attachment", "VIO-2026-0002", ""); len(got) != 1 || got[0] != "it-report.txt.age" {
		t.Errorf("attachment files: %v", got)
	}
	// a verb offers the records it can move: submitted claims for approve
	got := complete(t, "approve", "")
	if !has(got, "EXP-2026-0023") || has(got, "EXP-2026-0027") || has(got, "CMP-2026-0009") {
		t.Errorf("approve ids: %v", got)
	}
	// move ID offers the states out of the record's state
	if got := complete(t, "move", "CMP-2026-0014", ""); len(got) != 1 || got[0] != "resolved" {
		t.Errorf("move states: %v", got)
	}
	if got := complete(t, "move", "CMP-2026-0009", ""); !has(got, "investigating") || has(got, "closed") {
		t.Errorf("move states of a reopened complaint: %v", got)
	}
	// assign: complaints, then active people
	if got := complete(t, "assign", ""); !has(got, "CMP-2026-0014") || has(got, "EXP-2026-0027") {
		t.Errorf("assign ids: %v", got)
	}
	if got := complete(t, "assign", "CMP-2026-0014", ""); !has(got, "li.wei", "chen.hao", "wang.fang") {
		t.Errorf("assign handles: %v", got)
	}
	// not leadership or finance, who are outside the department: assign
	// would refuse them (ref-role)
	if got := complete(t, "assign", "CMP-2026-0014", ""); has(got, "huang.jianguo") || has(got, "he.jing") {
		t.Errorf("assign offers people outside the department: %v", got)
	}
	if got := complete(t, "log", "--actor", ""); !has(got, "wang.fang") {
		t.Errorf("log --actor: %v", got)
	}
	if got := complete(t, "log", "--kind", ""); !has(got, "expense") {
		t.Errorf("log --kind: %v", got)
	}
	// set offers the kind's fields, an element's only with its index
	got = complete(t, "set", "EXP-2026-0027", "")
	if !has(got, "amount=", "note=", "items+=") || has(got, "items.amount=") || has(got, "status=") {
		t.Errorf("set fields: %v", got)
	}
}

// A verb and move ID offer only the moves open to the git identity: a
// specialist is offered no claim to approve, a manager only those within
// their limit, and the moves they may make.
func TestCompletionOffersMovesOpenToYou(t *testing.T) {
	t.Setenv("GIT_AUTHOR_EMAIL", "li.wei@example.com") // specialist
	if got := complete(t, "approve", ""); has(got, "EXP-2026-0023") || has(got, "EXP-2026-0025") {
		t.Errorf("a specialist is offered claims to approve: %v", got)
	}
	if got := complete(t, "move", "EXP-2026-0023", ""); len(got) != 0 {
		t.Errorf("a specialist is offered moves of another's claim: %v", got)
	}
	t.Setenv("GIT_AUTHOR_EMAIL", "wang.fang@example.com") // director
	if got := complete(t, "approve", "EXP-2026-0023", ""); !has(got, "EXP-2026-0025") || has(got, "EXP-2026-0023") {
		t.Errorf("approve ID: a second id, not the first again: %v", got)
	}
	if got := complete(t, "approve", ""); !has(got, "EXP-2026-0023", "EXP-2026-0025") {
		t.Errorf("the director is not offered submitted claims: %v", got)
	}
	if got := complete(t, "move", "EXP-2026-0023", ""); !has(got, "approved", "rejected", "returned") {
		t.Errorf("the director's moves: %v", got)
	}
	t.Setenv("GIT_AUTHOR_EMAIL", "nobody@example.com") // unknown: everything, the command says who is unknown
	if got := complete(t, "approve", ""); !has(got, "EXP-2026-0023") {
		t.Errorf("an unknown identity: %v", got)
	}
}

// inbox --for offers the people whose inbox you may see.
func TestCompletionInboxFor(t *testing.T) {
	t.Setenv("GIT_AUTHOR_EMAIL", "zhang.min@example.com") // manager of li.wei and zhao.lei
	if got := complete(t, "inbox", "--for", ""); len(got) != 3 || !has(got, "zhang.min", "li.wei", "zhao.lei") {
		t.Errorf("a manager: %v", got)
	}
	t.Setenv("GIT_AUTHOR_EMAIL", "li.wei@example.com")
	if got := complete(t, "inbox", "--for", ""); len(got) != 1 || got[0] != "li.wei" {
		t.Errorf("a specialist: %v", got)
	}
	t.Setenv("GIT_AUTHOR_EMAIL", "wang.fang@example.com")
	if got := complete(t, "inbox", "--for", ""); !has(got, "sun.li", "huang.jianguo", "chen.hao") {
		t.Errorf("the director: %v", got)
	}
}
