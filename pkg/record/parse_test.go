package record

import (
	"encoding/json"
	"strings"
	"testing"
)

const good = `kind: expense
id: EXP-2026-0001
title: 印刷
status: draft
claimant: li.wei
date: 2026-09-14
category: marketing
amount: 1280.50
items:
  - description: 單頁
    amount: 980.50
`

func TestParseGood(t *testing.T) {
	r, ds := Parse("records/expenses/2026/EXP-2026-0001.yaml", []byte(good))
	if len(ds) != 0 || r == nil {
		t.Fatalf("diags: %v", ds)
	}
	if r.Kind != Expense || r.ID != "EXP-2026-0001" || r.Title() != "印刷" {
		t.Fatalf("record = %+v", r)
	}
	if v, _ := r.Get("amount"); v != json.Number("1280.50") {
		t.Fatalf("amount = %#v", v)
	}
	if a, ok := r.Money("items.0.amount"); !ok || a.String() != "980.50" {
		t.Fatalf("items.0.amount = %v %v", a, ok)
	}
	if r.Str("date") != "2026-09-14" {
		t.Fatalf("date = %q", r.Str("date"))
	}
	if l, c := r.Pos("items.0.amount"); l != 11 || c != 13 {
		t.Fatalf("pos = %d:%d", l, c)
	}
	if l, _ := r.Pos("items.0.receipt"); l != 10 {
		t.Fatalf("missing field pos = %d", l)
	}
}

func TestParseBOMAccepted(t *testing.T) {
	r, ds := Parse("x.yaml", append([]byte{0xEF, 0xBB, 0xBF}, good...))
	if r == nil || len(ds) != 0 {
		t.Fatalf("BOM refused: %v", ds)
	}
}

func TestParseHazards(t *testing.T) {
	cases := []struct {
		name, text, rule string
		line             int
	}{
		{"empty", "  \n", "yaml-empty", 1},
		{"syntax", "kind: expense\nid: [unclosed\n", "yaml-syntax", 0},
		{"conflict", "kind: expense\n<<<<<<< HEAD\nid: A\n=======\nid: B\n>>>>>>> branch\n", "file-conflict", 2},
		{"two docs", "kind: expense\n---\nkind: plan\n", "yaml-multiple-documents", 0},
		{"duplicate", "kind: expense\nid: A\n'id': B\n", "yaml-duplicate-key", 3},
		{"anchor", "kind: expense\na: &x 1\nb: *x\n", "yaml-alias", 2},
		{"merge", "kind: expense\na: {b: 1}\nc:\n  <<: {b: 2}\n", "yaml-alias", 4},
		{"tag", "kind: expense\namount: !!str 12\n", "yaml-tag", 2},
		{"null", "kind: expense\nnote:\n", "yaml-null", 2},
		{"tilde", "kind: expense\nnote: ~\n", "yaml-null", 2},
		{"int key", "kind: expense\n12: x\n", "yaml-key", 2},
		{"octal", "kind: expense\namount: 012\n", "yaml-number", 2},
		{"hex", "kind: expense\namount: 0x1F\n", "yaml-number", 2},
		{"exp", "kind: expense\namount: 1e3\n", "yaml-number", 2},
		{"inf", "kind: expense\namount: .inf\n", "yaml-number", 2},
		{"big", "kind: expense\namount: 12345678901234567890\n", "yaml-number", 2},
		{"control", "kind: expense\ntitle: a\x07b\n", "file-encoding", 2},
		{"utf8", "kind: expense\ntitle: a\xffb\n", "file-encoding", 2},
		{"scalar", "just text\n", "yaml-structure", 1},
		{"list", "- a\n- b\n", "yaml-structure", 1},
		{"depth", "kind: expense\nx: " + strings.Repeat("[", 40) + strings.Repeat("]", 40) + "\n", "yaml-depth", 2},
		{"size", "kind: expense\nnote: " + strings.Repeat("x", MaxFileSize) + "\n", "file-size", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, ds := Parse("f.yaml", []byte(c.text))
			for _, d := range ds {
				if d.Rule == c.rule && (c.line == 0 || d.Line == c.line) {
					return
				}
			}
			t.Fatalf("want %s at line %d, got %v", c.rule, c.line, ds)
		})
	}
}

func TestLocate(t *testing.T) {
	good := map[string]Kind{
		"expenses/2026/EXP-2026-0193.yaml": Expense,
		"people/li.wei.yaml":               Person,
		"budgets/BUD-2026.yaml":            Budget,
		"customers/CUS-0007.yaml":          Customer,
	}
	for p, k := range good {
		got, _, err := Locate(p)
		if err != nil || got != k {
			t.Errorf("Locate(%s) = %s, %v", p, got, err)
		}
	}
	for _, p := range []string{"expenses/EXP-2026-0193.yaml", "expenses/2025/EXP-2026-0193.yaml", "things/x.yaml", "people/Li Wei.yaml", "expenses/2026/PRJ-2026-0001.yaml"} {
		if _, _, err := Locate(p); err == nil {
			t.Errorf("Locate(%s) accepted", p)
		}
	}
}

func TestKindOfIDAndFormat(t *testing.T) {
	if k, _ := KindOfID("PLN-2026-0004"); k != Plan {
		t.Error("PLN")
	}
	if _, ok := KindOfID("../etc/passwd"); ok {
		t.Error("path accepted as id")
	}
	if FormatID(Expense, 2026, 7) != "EXP-2026-0007" || FormatID(Customer, 0, 12) != "CUS-0012" {
		t.Error("FormatID")
	}
	if IDSeq("EXP-2026-0193") != 193 || IDSeq("li.wei") != -1 {
		t.Error("IDSeq")
	}
	if RelPath(Expense, "EXP-2026-0193") != "expenses/2026/EXP-2026-0193.yaml" {
		t.Error("RelPath")
	}
}
