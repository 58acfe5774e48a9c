package workflow

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
)

// TestRefusalsInChinese: a refusal keeps the English in Message (for
// -o json) and says it in the reader's language in Text and Error, with
// roles, states and kinds as terms.
func TestRefusalsInChinese(t *testing.T) {
	defer i18n.Set(i18n.English)
	i18n.Set(i18n.Chinese)
	role := func(r string) string { return i18n.Term("role", r) }
	state := func(s string) string { return i18n.Term("state", s) }
	kind := func(k string) string { return i18n.Term("kind", k) }
	cases := []struct {
		name, to, english, chinese string
		actor                      Actor
		status, claimant, amount   string
	}{
		{"over the limit", "approved",
			"zhang.min (manager) may not approve EXP-2026-0193: 12,000.00 is over the manager limit of 5,000.00; a director or leadership must approve it",
			"zhang.min（" + role("manager") + "）不得核准 EXP-2026-0193：12,000.00 超過" + role("manager") + "的核准上限 5,000.00；須由" + role("director") + "或公司高層核准",
			manager, "submitted", "li.wei", "12000.00"},
		{"wrong role", "approved",
			"li.wei (specialist) may not approve EXP-2026-0193: only a manager, a director or leadership may",
			"li.wei（" + role("specialist") + "）不得核准 EXP-2026-0193：只有" + role("manager") + "、" + role("director") + "或公司高層可以",
			specialist, "submitted", "zhao.lei", "10"},
		{"not in the table", "approved",
			"no move from draft to approved for an expense; from draft: submitted",
			kind("expense") + "不能從" + state("draft") + "移至" + state("approved") + "；從" + state("draft") + "可以移至：" + state("submitted"),
			specialist, "draft", "li.wei", "10"},
	}
	for _, c := range cases {
		err := CheckMove(c.actor, expense(t, c.status, c.claimant, c.amount), c.to, Env{})
		var r *Refusal
		if !errors.As(err, &r) {
			t.Fatalf("%s: %v", c.name, err)
		}
		if r.Message != c.english {
			t.Errorf("%s: Message = %q, want %q", c.name, r.Message, c.english)
		}
		if r.Error() != c.chinese || r.Text != c.chinese {
			t.Errorf("%s: text = %q, want %q", c.name, r.Error(), c.chinese)
		}
	}
}

// TestNotesInChinese: the notes and hints that close a refusal (and fill
// opsbook rights) are said in Chinese, every one of every kind, while the
// refusal's Message keeps the English.
func TestNotesInChinese(t *testing.T) {
	defer i18n.Set(i18n.English)
	i18n.Set(i18n.Chinese)
	p := config.Default()
	for _, k := range record.Kinds {
		v := Describe(k.Kind, p)
		check := func(what, s string) {
			if s == "" {
				return
			}
			if got := i18n.Term("note", s); got == s || !strings.ContainsFunc(got, func(c rune) bool { return unicode.Is(unicode.Han, c) }) {
				t.Errorf("%s %s: %q has no Chinese (terms catalog, group note)", k.Kind, what, s)
			}
		}
		for _, r := range v.Fields {
			check("field "+r.Field, r.Note)
		}
		for s, h := range v.Hints {
			check("hint of "+s, h)
		}
		for _, m := range v.Moves {
			check("move "+m.From+"→"+m.To, m.Note)
		}
	}

	now := time.Date(2026, 11, 26, 15, 0, 0, 0, time.FixedZone("CST", 8*3600))
	env := Env{People: people, Now: now}
	rs := CheckChange(manager, Change{Before: parse(t, activePlan), After: after(t, activePlan, "amount: 120000.00", "amount: 990000.00")}, env)
	if len(rs) != 1 {
		t.Fatalf("refusals %v", messages(rs))
	}
	if !strings.Contains(rs[0].Message, "; a new revision (supersedes) changes it") {
		t.Errorf("Message %q lost its English hint", rs[0].Message)
	}
	if !strings.HasSuffix(rs[0].Text, "；以新版本（supersedes）修改") {
		t.Errorf("Text %q lacks the Chinese hint", rs[0].Text)
	}
	rs = CheckChange(specialist, Change{Before: parse(t, criticalComplaint), After: after(t, criticalComplaint, "severity: critical\n", "severity: critical\nsatisfaction: 5\n")}, env)
	if len(rs) != 1 || !strings.HasSuffix(rs[0].Text, "可以（客戶的評分，由經理記錄，不由被評的人記錄）") {
		t.Errorf("edit-right refusal text %q lacks the Chinese note", messages(rs))
	}
}

// TestPartyNamedInChinese: a refusal that names who may change a field
// calls the party by its field's word (申請人), not its key (claimant),
// while Message keeps the English.
func TestPartyNamedInChinese(t *testing.T) {
	defer i18n.Set(i18n.English)
	i18n.Set(i18n.Chinese)
	err := edit(t, manager, approvedExpense, "amount: 1280.50", "amount: 1380.50")
	var r *Refusal
	if !errors.As(err, &r) {
		t.Fatalf("not refused: %v", err)
	}
	if !strings.Contains(r.Message, "by the claimant (li.wei)") {
		t.Errorf("Message = %q, want the claimant in English", r.Message)
	}
	if want := i18n.Term("field", "claimant") + "（li.wei）"; !strings.Contains(r.Text, want) || strings.Contains(r.Text, "claimant") {
		t.Errorf("Text = %q, want %q and no English key", r.Text, want)
	}
	// a party of a list's items: its field's word
	if got := partyWord("tasks.*.assignee").String(); got != i18n.Term("field", "assignee") {
		t.Errorf("tasks.*.assignee = %q", got)
	}
}

// TestRenumberRefusalInChinese: a refused renumbering names the actor's
// role and the owner's field in the reader's language, as every other
// refusal does.
func TestRenumberRefusalInChinese(t *testing.T) {
	defer i18n.Set(i18n.English)
	i18n.Set(i18n.Chinese)
	rf := CheckRenumber(other, expense(t, "submitted", "li.wei", "600.00"))
	if rf == nil {
		t.Fatal("not refused")
	}
	want := other.Handle + "（" + i18n.Term("role", string(other.Role)) + "）不得為 EXP-2026-0193 重新編號：只有它的" + i18n.Term("field", "claimant") + "（li.wei）、總監或公司高層可以"
	if rf.Error() != want {
		t.Errorf("text = %q, want %q", rf.Error(), want)
	}
	if !strings.Contains(rf.Message, "(specialist)") || !strings.Contains(rf.Message, "its claimant (li.wei)") {
		t.Errorf("Message = %q", rf.Message)
	}
}

// TestMovePartyNamedInChinese: a refused move names the party who may
// make it by its field's word (組織人), not its key (organiser), as an
// edit refusal does.
func TestMovePartyNamedInChinese(t *testing.T) {
	defer i18n.Set(i18n.English)
	i18n.Set(i18n.Chinese)
	training := parse(t, `kind: training
id: TRN-2026-0001
title: 自學
status: planned
organiser: li.wei
date: 2026-12-01
topic: skills
delivery: external
hours: 4
attendees:
  - person: li.wei
`)
	err := CheckMove(other, training, "held", Env{People: people})
	var r *Refusal
	if !errors.As(err, &r) {
		t.Fatalf("not refused: %v", err)
	}
	if want := i18n.Term("field", "organiser") + "（li.wei）"; !strings.Contains(r.Text, want) || strings.Contains(r.Text, "organiser") {
		t.Errorf("Text = %q, want %q and no English key", r.Text, want)
	}
	if !strings.Contains(r.Message, "the organiser (li.wei)") {
		t.Errorf("Message = %q, want the organiser in English", r.Message)
	}
}

// TestCreatePartyNamedInChinese: a record created in another's name is
// refused naming the party by its field's word (主持人), not its key.
func TestCreatePartyNamedInChinese(t *testing.T) {
	defer i18n.Set(i18n.English)
	i18n.Set(i18n.Chinese)
	meeting := parse(t, `kind: meeting
id: MTG-2026-0006
title: m
status: draft
type: weekly
date: 2026-12-07
chair: zhang.min
`)
	rs := CheckChange(specialist, Change{After: meeting}, Env{People: people})
	if len(rs) != 1 {
		t.Fatalf("refusals = %v", messages(rs))
	}
	chair := i18n.Term("field", "chair")
	if want := "其" + chair + "是 zhang.min，而會議須由其" + chair + "建立"; !strings.Contains(rs[0].Text, want) || strings.Contains(rs[0].Text, "chair") {
		t.Errorf("Text = %q, want %q and no English key", rs[0].Text, want)
	}
	if !strings.Contains(rs[0].Message, "its chair is zhang.min, and a meeting is created by its chair") {
		t.Errorf("Message = %q", rs[0].Message)
	}
}

// TestVerbPhrasesInChinese: every move's verb, said in a refusal between
// "不得" and the record's id, is a bare verb phrase: no colon or other
// punctuation inside the sentence (zhang.min（經理）不得展開可行性研究
// PRJ-2026-0001：只有總監可以, not 展開可行性研究： PRJ-2026-0001).
func TestVerbPhrasesInChinese(t *testing.T) {
	defer i18n.Set(i18n.English)
	i18n.Set(i18n.Chinese)
	for k, tbl := range tables {
		for _, m := range tbl.Moves {
			p := phrase(m.Verb)
			s := ""
			if ph, ok := p.(i18n.Phrase); ok {
				s = ph.String()
			}
			if s == "" || s == m.Verb {
				t.Errorf("%s %s: no Chinese phrase (%q)", k, m.Verb, s)
				continue
			}
			if strings.ContainsAny(s, "：:，,；;。") {
				t.Errorf("%s %s: %q holds punctuation", k, m.Verb, s)
			}
		}
	}
}
