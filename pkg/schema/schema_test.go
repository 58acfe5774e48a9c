package schema

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/opsbook/opsbook/pkg/record"
)

var expCats = []string{"personnel", "marketing", "office", "travel", "training", "other"}
var cmpCats = []string{"product", "service", "billing", "delivery", "staff", "other"}

func check(t *testing.T, text string) []string {
	t.Helper()
	s, err := Compile(expCats, cmpCats)
	if err != nil {
		t.Fatal(err)
	}
	r, ds := record.Parse("records/expenses/2026/EXP-2026-0001.yaml", []byte(text))
	if len(ds) > 0 {
		t.Fatalf("parse: %v", ds)
	}
	var out []string
	for _, d := range s.Validate(r) {
		out = append(out, d.String())
	}
	return out
}

const expense = `kind: expense
id: EXP-2026-0001
title: 印刷
status: draft
claimant: li.wei
date: 2026-09-14
category: marketing
amount: 1280.50
`

func TestValidExpense(t *testing.T) {
	if ds := check(t, expense); len(ds) != 0 {
		t.Fatalf("valid expense: %v", ds)
	}
}

func TestSchemaErrorsPointAtTheField(t *testing.T) {
	cases := []struct{ edit, want string }{
		{strings.Replace(expense, "amount: 1280.50", "amount: 1280.505", 1), ":8:9: error: amount: 1280.505 is not an amount of money"},
		{strings.Replace(expense, "amount: 1280.50", "amount: -5", 1), ":8:9: error: amount: -5 is not an amount"},
		{strings.Replace(expense, "status: draft", "status: aproved", 1), ":4:9: error: status:"},
		{strings.Replace(expense, "category: marketing", "category: snacks", 1), ":7:11: error: category:"},
		{strings.Replace(expense, "date: 2026-09-14", "date: 2026-02-30", 1), ":6:7: error: date: \"2026-02-30\" is not a real date"},
		{expense + "amuont: 5\n", ":9:1: error: unknown field \"amuont\" (did you mean \"amount\"?)"},
		// a name with a backslash, a quote or an invisible character is
		// named as written, at its line
		{expense + `am\u006fount: 5` + "\n", `:9:1: error: unknown field "am\\u006fount"`},
		{expense + "it's: 5\n", `:9:1: error: unknown field "it's"`},
		{expense + "amount\u200b: 5\n", `:9:1: error: unknown field "amount\u200b"`},
		{strings.Replace(expense, "claimant: li.wei\n", "", 1), "missing required field \"claimant\""},
		{strings.Replace(expense, "claimant: li.wei", "claimant: ../../etc", 1), ":5:11: error: claimant:"},
	}
	for _, c := range cases {
		got := strings.Join(check(t, c.edit), "\n")
		if !strings.Contains(got, c.want) {
			t.Errorf("want %q in:\n%s", c.want, got)
		}
	}
}

func TestCategoriesFromPolicy(t *testing.T) {
	s, err := Compile([]string{"snacks"}, cmpCats)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := record.Parse("x.yaml", []byte(strings.Replace(expense, "category: marketing", "category: snacks", 1)))
	if ds := s.Validate(r); len(ds) != 0 {
		t.Fatalf("policy category refused: %v", ds)
	}
}

func TestSuggest(t *testing.T) {
	if s := Suggest("recieved_at", []string{"received_at", "resolution"}); s != "received_at" {
		t.Errorf("suggest = %q", s)
	}
	if s := Suggest("zzz", []string{"amount"}); s != "" {
		t.Errorf("suggest = %q", s)
	}
}

// The quick checks, documents and validators of a set are made on first
// use, from whichever goroutine meets a kind first: many goroutines
// validating the sample's records, valid and broken, on a fresh set give
// what one goroutine gives (run with -race).
func TestValidateConcurrently(t *testing.T) {
	recs, _, err := record.Load(context.Background(), filepath.Join("..", ".."), "records")
	if err != nil || len(recs) == 0 {
		t.Fatal(len(recs), err)
	}
	all := recs
	for _, r := range recs {
		b, ds := record.Parse(r.Path, []byte(strings.Replace(r.Source(), "\nstatus: ", "\nstatus: x", 1)+"bogus_field: 1\n"))
		if b == nil {
			t.Fatal(ds)
		}
		all = append(all, b)
	}
	one, _ := compile(expCats, cmpCats)
	want := make([]string, len(all))
	failing := 0
	for i, r := range all {
		ds := one.Validate(r)
		want[i] = fmt.Sprint(ds)
		if len(ds) > 0 {
			failing++
		}
	}
	if failing < len(recs) {
		t.Fatalf("only %d of %d records fail", failing, len(all))
	}
	s, _ := compile(expCats, cmpCats)
	var wg sync.WaitGroup
	got := make([][]string, 8)
	for g := range got {
		got[g] = make([]string, len(all))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range all {
				i := (n + g*len(all)/8) % len(all)
				got[g][i] = fmt.Sprint(s.Validate(all[i]))
			}
		}()
	}
	wg.Wait()
	for _, g := range got {
		for i := range all {
			if g[i] != want[i] {
				t.Fatalf("%s: concurrently %s, alone %s", all[i].Path, g[i], want[i])
			}
		}
	}
}

func TestUnknownFieldsInFileOrder(t *testing.T) {
	// several unknown fields are named in the order the file has them,
	// the same every run, at the first one's position
	text := expense + "zeta: 1\nalpha: 2\nqqqq: 3\nbeta: 4\nomega: 5\n"
	want := ":9:1: error: unknown field \"zeta\"; unknown field \"alpha\"; unknown field \"qqqq\"; unknown field \"beta\"; unknown field \"omega\""
	for i := 0; i < 20; i++ {
		if got := strings.Join(check(t, text), "\n"); !strings.Contains(got, want) {
			t.Fatalf("run %d: want %q in:\n%s", i, want, got)
		}
	}
}

// An empty title is one finding (it is empty), not that and a length
// below 1 besides.
func TestAnEmptyTextIsOneFinding(t *testing.T) {
	got := check(t, strings.Replace(expense, "title: 印刷", `title: ""`, 1))
	if len(got) != 1 || !strings.Contains(got[0], "it is empty") {
		t.Errorf("findings:\n%s", strings.Join(got, "\n"))
	}
}
