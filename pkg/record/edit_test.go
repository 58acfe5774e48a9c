package record

import (
	"encoding/json"
	"strings"
	"testing"
)

const commented = `# A claim for printing.
kind: expense
id: EXP-2026-0001
title: "印刷: 單頁"   # the title

status: draft
amount: 1280.50
items:
  - description: 單頁
    amount: 1280.50
`

func edit(t *testing.T, src string, f func(e *Editor)) string {
	t.Helper()
	e, err := NewEditor([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	f(e)
	b, err := e.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustNode(t *testing.T, v string) func(e *Editor, path string, app bool) {
	return func(e *Editor, path string, app bool) {
		n, err := ScalarNode(v)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Set(path, n, app); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSpliceKeepsLayout(t *testing.T) {
	got := edit(t, commented, func(e *Editor) {
		mustNode(t, "submitted")(e, "status", false)
		mustNode(t, "980.50")(e, "items.0.amount", false)
	})
	want := strings.Replace(strings.Replace(commented, "status: draft", "status: submitted", 1), "    amount: 1280.50", "    amount: 980.50", 1)
	if got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestSpliceQuotedCJK(t *testing.T) {
	got := edit(t, commented, func(e *Editor) { mustNode(t, "新標題: 二")(e, "title", false) })
	if !strings.Contains(got, `title: '新標題: 二'   # the title`) && !strings.Contains(got, `title: "新標題: 二"   # the title`) {
		t.Fatalf("got:\n%s", got)
	}
}

func TestReshapeKeepsComments(t *testing.T) {
	got := edit(t, commented, func(e *Editor) {
		mustNode(t, "attachments/r.pdf")(e, "items.0.receipt", false)
		mustNode(t, "{description: 易拉寶, amount: 300.00}")(e, "items", true)
		mustNode(t, "2026-09-14")(e, "date", false)
	})
	for _, want := range []string{"# A claim for printing.", "# the title", "receipt: attachments/r.pdf", "description: 易拉寶", "amount: 300.00", "date: 2026-09-14"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	r, ds := Parse("x.yaml", []byte(got))
	if len(ds) > 0 || r.Str("items.1.amount") != "300.00" {
		t.Fatalf("reparse: %v %v", ds, r.Data)
	}
}

func TestSetErrors(t *testing.T) {
	e, _ := NewEditor([]byte(commented))
	n, _ := ScalarNode("x")
	if err := e.Set("items.5.amount", n, false); err == nil {
		t.Error("out of range index accepted")
	}
	if err := e.Set("title", n, true); err == nil {
		t.Error("+= on a scalar accepted")
	}
	if _, err := ScalarNode(""); err == nil {
		t.Error("empty value accepted")
	}
}

func TestUnset(t *testing.T) {
	got := edit(t, commented, func(e *Editor) { e.Unset("items") })
	if strings.Contains(got, "items") {
		t.Fatalf("got:\n%s", got)
	}
}

func TestScalarNodesStayPlain(t *testing.T) {
	for _, v := range []string{"5", "1280.50", "true", "2026-11-26", "2026-11-26T15:00:00+08:00", "2026-02-30"} {
		got := edit(t, commented, func(e *Editor) { mustNode(t, v)(e, "note", false) })
		if !strings.Contains(got, "note: "+v+"\n") {
			t.Errorf("%s written as:\n%s", v, got)
		}
	}
}

func TestSameValue(t *testing.T) {
	a := Map{{"amount", json.Number("1280.50")}, {"items", []any{Map{{"x", "y"}}}}, {"ok", true}}
	b := Map{{"ok", true}, {"amount", json.Number("1280.5")}, {"items", []any{Map{{"x", "y"}}}}}
	if !SameValue(a, b) {
		t.Error("1280.50 and 1280.5 differ (or the order of the keys counted)")
	}
	b.Set("ok", false)
	if SameValue(a, b) || SameValue(json.Number("1"), "1") || !SameValue(nil, nil) {
		t.Error("different values compared equal")
	}
}

// A record saved on Windows (CRLF line ends, perhaps a byte order mark) keeps
// both when a field is set: the change is the only line of the diff, and the
// comment above the first field does not gain a blank line under it.
func TestEditKeepsCRLFAndBOM(t *testing.T) {
	lf := "# Past its due date.\nkind: task\nid: TSK-2026-0003\nstatus: doing\n"
	for _, tc := range []struct{ name, prefix string }{{"crlf", ""}, {"bom+crlf", "\ufeff"}} {
		src := tc.prefix + strings.ReplaceAll(lf, "\n", "\r\n")
		// a new field re-encodes the tree
		got := edit(t, src, func(e *Editor) { mustNode(t, "y")(e, "description", false) })
		want := tc.prefix + strings.ReplaceAll(lf+"description: y\n", "\n", "\r\n")
		if got != want {
			t.Errorf("%s, new field: got %q, want %q", tc.name, got, want)
		}
		// a scalar replaced in place is spliced
		got = edit(t, src, func(e *Editor) { mustNode(t, "done")(e, "status", false) })
		want = tc.prefix + strings.ReplaceAll(strings.Replace(lf, "doing", "done", 1), "\n", "\r\n")
		if got != want {
			t.Errorf("%s, splice: got %q, want %q", tc.name, got, want)
		}
	}
}

// A path past the end of a list says how many items it holds and how to
// add one, setting, appending under or removing.
func TestNoSuchItemSaysTheItems(t *testing.T) {
	e, _ := NewEditor([]byte(commented))
	n, _ := ScalarNode("x")
	for _, c := range []struct {
		err  error
		want string
	}{
		{e.Set("items.5.amount", n, false), "items.5: no such item: items holds 1 item, items.0 (items+=VALUE adds one)"},
		{e.Set("items.3", n, true), "items.3: no such item: items holds 1 item, items.0 (items+=VALUE adds one)"},
		{e.Unset("items.2"), "items.2: no such item: items holds 1 item, items.0 (items+=VALUE adds one)"},
		{e.Set("attachments.0.path", n, false), "attachments.0: no such item: attachments is empty (attachments+=VALUE adds one)"},
	} {
		if c.err == nil || c.err.Error() != c.want {
			t.Errorf("%v, want %s", c.err, c.want)
		}
	}
}
