package render

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
)

func widest(s string) int {
	w := 0
	for _, l := range strings.Split(s, "\n") {
		w = max(w, runewidth.StringWidth(stripANSI(l)))
	}
	return w
}

func TestTablesFitTheTerminal(t *testing.T) {
	tbl := &Table{Headers: []string{"ID", "STATUS", "AMOUNT", "TITLE"}, Right: map[int]bool{2: true}}
	tbl.Add("CMP-2026-0001", "investigating", "1,280.50", "社交媒體曝光產品內有異物，要求賠償並公開道歉")
	tbl.Add("CMP-2026-0002", "closed", "12.00", "Wholesale price list sent to the wrong customer twice")
	tbl.Add("CMP-2026-0003", "received", "0.00", "\x1b[31m到貨外包裝再次破損，客戶要求退貨並補償運費\x1b[0m")
	for _, width := range []int{45, 60, 80} {
		var b bytes.Buffer
		if err := WriteTableWidth(&b, tbl, true, width); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if w := widest(out); w > width {
			t.Errorf("width %d: table is %d wide:\n%s", width, w, out)
		}
		// the box is whole: every line starts and ends with a border
		for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
			l = stripANSI(l)
			first, last := []rune(l)[0], []rune(l)[len([]rune(l))-1]
			if !strings.ContainsRune("┌├│└", first) || !strings.ContainsRune("┐┤│┘", last) {
				t.Errorf("width %d: broken line %q", width, l)
			}
		}
		for _, keep := range []string{"CMP-2026-0001", "1,280.50", "…"} {
			if !strings.Contains(out, keep) {
				t.Errorf("width %d: %q missing:\n%s", width, keep, out)
			}
		}
		// the coloured cell keeps its colour when cut
		if !strings.Contains(out, "\x1b[31m") || !strings.Contains(out, "\x1b[0m") {
			t.Errorf("width %d: colour lost:\n%q", width, out)
		}
	}
	// wide enough, or unknown: nothing is cut
	for _, width := range []int{0, 200} {
		var b bytes.Buffer
		_ = WriteTableWidth(&b, tbl, true, width)
		if strings.Contains(b.String(), "…") {
			t.Errorf("width %d: cut:\n%s", width, b.String())
		}
	}
	// piped: tab-separated and whole, whatever the width
	var b bytes.Buffer
	_ = WriteTableWidth(&b, tbl, false, 40)
	if strings.Contains(b.String(), "…") || !strings.Contains(b.String(), "Wholesale price list sent to the wrong customer twice") {
		t.Errorf("piped output was cut:\n%s", b.String())
	}
}

func TestTruncateNeverSplitsAWideCharacter(t *testing.T) {
	for _, c := range []struct {
		in   string
		w    int
		want string
	}{
		{"到貨外包裝破損", 7, "到貨外…"},
		{"到貨外包裝破損", 8, "到貨外…"},
		{"abcdefgh", 5, "abcd…"},
		{"abc", 5, "abc"},
	} {
		if got := truncate(c.in, c.w); got != c.want || runewidth.StringWidth(got) > c.w {
			t.Errorf("truncate(%q, %d) = %q, want %q", c.in, c.w, got, c.want)
		}
	}
}

func TestAWrappedColumnKeepsEveryWord(t *testing.T) {
	reason := "a resolved complaint needs investigation.root_cause (inquiries do not); a resolved complaint needs resolution.solution; 客戶要求退貨並補償運費"
	tbl := &Table{Headers: []string{"TO", "WHY NOT"}, Wrap: map[int]bool{1: true}}
	tbl.Add("resolved", reason)
	out := fitted(t, tbl, 50)
	if strings.Contains(out, "…") {
		t.Errorf("a wrapped column was cut:\n%s", out)
	}
	var text strings.Builder
	for _, l := range strings.Split(out, "\n") {
		if parts := strings.Split(l, "│"); len(parts) == 4 {
			text.WriteString(strings.TrimSpace(parts[2]) + " ")
		}
	}
	got := strings.Join(strings.Fields(strings.ReplaceAll(text.String(), "WHY NOT", "")), "")
	if want := strings.Join(strings.Fields(reason), ""); got != want {
		t.Errorf("words lost:\n got %s\nwant %s", got, want)
	}
}

// A wrapped column is not narrowed below its longest word while another
// column can give way: a command stays whole enough to copy
// (tasks.0.done=2026-12-06 is never cut into ...-0 and 6).
func TestAWrappedColumnKeepsItsLongestWordWhole(t *testing.T) {
	tbl := &Table{Headers: []string{"時限", "紀錄", "事項", "命令"}, Wrap: map[int]bool{2: true, 3: true}}
	tbl.Add("逾期 16 天", "CMP-2026-0009", "調查：到貨外包裝再次破損 [解決時限]", "opsbook investigate CMP-2026-0009")
	tbl.Add("逾期 4 天", "CMP-2026-0017", "解決：新品配料諮詢 [解決時限] — 尚需：a resolved complaint needs resolution.solution", "opsbook move CMP-2026-0017")
	tbl.Add("逾期 16 天", "PLN-2026-0004", "完成 tasks.0：簽約經銷商 25 家", "opsbook set PLN-2026-0004 tasks.0.status=done tasks.0.done=2026-12-06")
	out := fitted(t, tbl, 80)
	for _, word := range []string{"tasks.0.done=2026-12-06", "tasks.0.status=done", "resolution.solution"} {
		if !strings.Contains(out, word) {
			t.Errorf("%s was cut:\n%s", word, out)
		}
	}
	if strings.Contains(out, "…") {
		t.Errorf("a wrapped column was cut:\n%s", out)
	}
}

// A wrapped cell wholly in one colour (a page's warned row) is wrapped
// too, each line in the colour, rather than cut.
func TestAColouredWrappedCellIsWrappedNotCut(t *testing.T) {
	c := Colors{Enabled: true}
	cmd := "opsbook set MTG-2026-0003 actions.1.status=done actions.1.done=2026-11-26"
	tbl := &Table{Headers: []string{"WHEN", "COMMAND"}, Wrap: map[int]bool{1: true}}
	tbl.Add(c.Red("3d late"), c.Red(cmd))
	var b bytes.Buffer
	if err := WriteTableWidth(&b, tbl, true, 40); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, "…") {
		t.Errorf("a coloured wrapped cell was cut:\n%s", out)
	}
	var parts []string
	for _, l := range strings.Split(out, "\n") {
		if cells := strings.Split(l, "│"); len(cells) == 4 && strings.Contains(cells[2], "\x1b[31m") {
			parts = append(parts, strings.TrimSpace(stripANSI(cells[2])))
		}
	}
	if got := strings.Join(parts, " "); got != cmd || len(parts) < 2 {
		t.Errorf("the command, put back together from %d red lines: %q\n%s", len(parts), got, out)
	}
}

// A wrapped Chinese list joins on one line without a space after its
// full-width comma; an English one gets its space back.
func TestCleanJoinsWrappedLines(t *testing.T) {
	if got := clean("收尾中 1，\n已結案 1"); got != "收尾中 1，已結案 1" {
		t.Errorf("Chinese: %q", got)
	}
	if got := clean("closing 1,\nclosed 1"); got != "closing 1, closed 1" {
		t.Errorf("English: %q", got)
	}
}

// A column of record ids that is not the first (the inbox's record, after
// its deadline) is not cut: "CMP-202…" names no record.
func TestAnIdColumnIsNotCut(t *testing.T) {
	tbl := &Table{Headers: []string{"時限", "紀錄", "事項", "指令"}, Wrap: map[int]bool{2: true, 3: true}}
	tbl.Add("逾期 6 天", "CMP-2026-0009", "調查：到貨外包裝再次破損 [解決時限]", "opsbook investigate CMP-2026-0009")
	tbl.Add("", "ANA-2026-0004", "提交：2027 春節禮盒預售需求預測", "opsbook move ANA-2026-0004")
	tbl.Add("逾期 6 天", "PLN-2026-0004", "完成 tasks.0：簽約經銷商 25 家", "opsbook set PLN-2026-0004 tasks.0.status=done tasks.0.done=2026-11-26")
	// a status report to write names no record yet
	tbl.Add("逾期 4 天", "-", "撰寫匯報：向上級提交工作匯報（每 7 天）", "opsbook new status-report --set to=HANDLE --set period=2026-12")
	out := fitted(t, tbl, 60)
	for _, id := range []string{"│ CMP-2026-0009 │", "│ ANA-2026-0004 │", "│ PLN-2026-0004 │"} {
		if !strings.Contains(out, id) {
			t.Errorf("%s was cut:\n%s", id, out)
		}
	}
}

// A column of ids with "—" where a row has none (a training session paid
// by no claim) is a column of ids all the same: not cut.
func TestAnIdColumnWithNoneIsNotCut(t *testing.T) {
	tbl := &Table{Headers: []string{"編號", "日期", "報銷單", "金額", "標題"}, Right: map[int]bool{3: true}}
	tbl.Add("TRN-2026-0002", "2026-02-02", "EXP-2026-0003", "2,400.00", "數據分析與 BI 線上課程")
	tbl.Add("TRN-2026-0001", "2026-03-12", "—", "0.00", "保密制度與客戶信息保護")
	out := fitted(t, tbl, 60)
	if !strings.Contains(out, "│ EXP-2026-0003 │") {
		t.Errorf("the claim's id was cut:\n%s", out)
	}
}

// A wrapped cell of Chinese fills each line: a word of it goes on after
// "第 1" rather than leave that alone on a line.
func TestWrapFillsLinesWithChinese(t *testing.T) {
	got := wrap("第 1 項沒有收據：已提交的報銷單超過 500.00 時", 22)
	first := strings.Split(got, "\n")[0]
	if runewidth.StringWidth(first) < 18 {
		t.Errorf("first line %q of:\n%s", first, got)
	}
	for _, l := range strings.Split(got, "\n") {
		if runewidth.StringWidth(l) > 22 {
			t.Errorf("line %q is wider than 22", l)
		}
	}
	if strings.ReplaceAll(got, "\n", "") != strings.ReplaceAll("第 1 項沒有收據：已提交的報銷單超過 500.00 時", " ", "") &&
		strings.Join(strings.Fields(strings.ReplaceAll(got, "\n", " ")), "") != strings.Join(strings.Fields("第 1 項沒有收據：已提交的報銷單超過 500.00 時"), "") {
		t.Errorf("text lost: %q", got)
	}
}

// fitted is tbl written for a terminal of width columns, which it must
// fit.
func fitted(t *testing.T, tbl *Table, width int) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteTableWidth(&b, tbl, true, width); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if w := widest(out); w > width {
		t.Errorf("table is %d wide:\n%s", w, out)
	}
	return out
}

// Narrowed keeps a table's Narrow columns in their order, each with its
// alignment and giving way; a page narrows only the tables that would not
// fit whole, a title counting as its first giveRoom cells.
func TestNarrowed(t *testing.T) {
	wide := &Table{Headers: []string{"ID", "AMOUNT", "NOTE", "STATE", "TITLE"}, Right: map[int]bool{1: true}, Give: map[int]bool{4: true},
		Narrow: []int{0, 3, 1, 4}}
	wide.Add("EXP-2026-0001", "1,280.50", strings.Repeat("n", 40), "approved", strings.Repeat("標", 30))
	n := wide.Narrowed()
	if got := strings.Join(n.Headers, ","); got != "ID,STATE,AMOUNT,TITLE" {
		t.Fatalf("headers %s", got)
	}
	if !n.Right[2] || n.Right[1] || !n.Give[3] || n.Give[2] || strings.Join(n.Rows[0], ",") != "EXP-2026-0001,approved,1,280.50,"+strings.Repeat("標", 30) {
		t.Errorf("narrowed: %+v", n)
	}
	small := &Table{Headers: []string{"ID", "STATE"}, Narrow: []int{0}}
	small.Add("EXP-2026-0001", "approved")
	p := &Page{Sections: []Section{{Table: wide}, {Table: small}}}
	got, narrowed := p.Narrowed(80)
	if !narrowed || len(got.Sections[0].Table.Headers) != 4 || len(got.Sections[1].Table.Headers) != 2 || len(p.Sections[0].Table.Headers) != 5 {
		t.Errorf("page at 80: %v %+v", narrowed, got.Sections)
	}
	// without the note, the wide table fits 100 with its title cut to 16
	wide.Rows[0][2] = "n"
	if got, narrowed := p.Narrowed(100); narrowed || got != p {
		t.Errorf("page at 100 narrowed")
	}
}

// A wrapped cell breaks Chinese as a page's prose does: a closing mark
// (）；，) never starts a line, an opening one (（) never ends one, even
// where a word wider than the line is cut.
func TestWrappedCellKeepsPunctuation(t *testing.T) {
	text := "解決：客服熱線長時間無人接聽 [解決時限] — 尚需：已解決的投訴需要 investigation.root_cause（諮詢不需要）；已解決的投訴需要 resolution.solution；提交：客服組週報（第 48 週）"
	for w := 8; w <= 30; w++ {
		lines := strings.Split(wrap(text, w), "\n")
		for i, l := range lines {
			if runewidth.StringWidth(l) > w {
				t.Errorf("width %d: line %q is wider", w, l)
			}
			first, _ := utf8.DecodeRuneInString(l)
			last, _ := utf8.DecodeLastRuneInString(l)
			if i > 0 && strings.ContainsRune(closingMarks, first) {
				t.Errorf("width %d: line %q starts with a closing mark", w, l)
			}
			if i < len(lines)-1 && strings.ContainsRune(openingMarks, last) {
				t.Errorf("width %d: line %q ends with an opening mark", w, l)
			}
		}
	}
}

// A cell cut after a word ends with the ellipsis, not a space and one.
func TestTruncateLeavesNoSpaceBeforeTheEllipsis(t *testing.T) {
	for _, c := range []struct {
		in   string
		w    int
		want string
	}{
		{"Wholesale price list request", 11, "Wholesale…"},
		{"Wholesale price list request", 12, "Wholesale p…"},
		{"重複開票導致無法付款", 9, "重複開票…"},
		{"short", 10, "short"},
	} {
		if got := Truncate(c.in, c.w); got != c.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", c.in, c.w, got, c.want)
		}
		if got := truncate(c.in, c.w); got != c.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", c.in, c.w, got, c.want)
		}
	}
}

// A table whose Narrow columns would not fit whole either keeps its
// Narrowest ones; one they fit keeps the Narrow ones.
func TestNarrowest(t *testing.T) {
	tbl := &Table{Headers: []string{"ID", "STATUS", "SEVERITY", "ASSIGNEE", "TITLE"}, Give: map[int]bool{4: true},
		Narrow: []int{0, 1, 2, 3, 4}, Narrowest: []int{0, 1, 4}}
	tbl.Add("CMP-2026-0001", "investigating", "critical", "zhang.min", strings.Repeat("t", 40))
	n, narrowed := tbl.NarrowedFor(60)
	if got := strings.Join(n.Headers, ","); !narrowed || got != "ID,STATUS,TITLE" || !n.Give[2] {
		t.Errorf("at 60: %s %+v", got, n)
	}
	n, _ = tbl.NarrowedFor(90)
	if got := strings.Join(n.Headers, ","); got != "ID,STATUS,SEVERITY,ASSIGNEE,TITLE" {
		t.Errorf("at 90: %s", got)
	}
}

// A number column's header too wide for its values goes onto two lines,
// broken before a bracket or between Chinese characters, never inside a
// word; a table that fits keeps its headers on one line.
func TestHeaderWrapsBeforeItIsCut(t *testing.T) {
	for h, want := range map[string]int{"中位數（時）": 6, "SLA（時）": 6, "使用率 %": 4, "MEDIAN H": 6, "OUTSTANDING": 11} {
		if got := headerRoom(h); got != want {
			t.Errorf("headerRoom(%q) = %d, want %d", h, got, want)
		}
	}
	tbl := &Table{Headers: []string{"嚴重度", "SLA（時）", "中位數（時）", "P90（時）"}, Right: map[int]bool{1: true, 2: true, 3: true}}
	tbl.Add("緊急", "24", "168.5", "22.3")
	out := fitted(t, tbl, 40)
	if strings.Contains(out, "…") || !strings.Contains(out, "│ 中位數 │") || !strings.Contains(out, "│ （時） │") {
		t.Errorf("at 40:\n%s", out)
	}
	if out := fitted(t, tbl, 80); strings.Count(out, "\n") != 5 {
		t.Errorf("at 80 the header is not one line:\n%s", out)
	}
}

// A Whole column (a command to copy) keeps its widest cell on one line
// while the prose beside it can wrap; a command wider than the room it
// could ever have wraps at its spaces only, and does not squeeze the
// prose for the others.
func TestAWholeColumnKeepsACommandOnOneLine(t *testing.T) {
	tbl := &Table{Headers: []string{"WHEN", "RECORD", "WHAT", "COMMAND"}, Wrap: map[int]bool{2: true}, Whole: map[int]bool{3: true}}
	tbl.Add("12d late", "CMP-2026-0018", "assign: Parcel marked delivered but not received [respond SLA]", "opsbook assign CMP-2026-0018 HANDLE")
	tbl.Add("", "EXP-2026-0027", "approve: 杭州春節禮盒客戶拜訪差旅 (3,200.00)", "opsbook approve EXP-2026-0027")
	tbl.Add("4d late", "-", "report: status report upward (every 31 days)", "opsbook new status-report --set to=HANDLE --set period=2026-12")
	out := fitted(t, tbl, 80)
	for _, cmd := range []string{"opsbook assign CMP-2026-0018 HANDLE", "opsbook approve EXP-2026-0027"} {
		if !strings.Contains(out, cmd) {
			t.Errorf("%q is not on one line:\n%s", cmd, out)
		}
	}
	for _, arg := range []string{"to=HANDLE", "period=2026-12", "status-report"} {
		if !strings.Contains(out, arg) {
			t.Errorf("%q is broken:\n%s", arg, out)
		}
	}
	// the long command wrapped rather than take the prose's room: the
	// column is as wide as the widest command that fits whole
	head := strings.Split(out, "\n")[1]
	cells := strings.Split(strings.Trim(head, "│"), "│")
	if w := runewidth.StringWidth(cells[len(cells)-1]); w != len("opsbook assign CMP-2026-0018 HANDLE")+2 {
		t.Errorf("the command column is %d wide:\n%s", w, out)
	}
}

// A word wider than its wrapped column is broken after a . _ / or - in it
// rather than cut anywhere, while a prose column can narrow instead:
// investigation.root_cause goes onto two lines at its dot.
func TestAWordTooWideBreaksAtItsMarks(t *testing.T) {
	tbl := &Table{Headers: []string{"ID", "WHY", "NOTE"}, Wrap: map[int]bool{1: true, 2: true}}
	tbl.Add("CMP-2026-0015", "needs investigation.root_cause", "the organiser's assessment of its effect, with more words")
	for _, width := range []int{50, 48} {
		out := fitted(t, tbl, width)
		for _, piece := range []string{"investigation.", "root_cause", "organiser's", "assessment"} {
			if !strings.Contains(out, piece) {
				t.Errorf("%d: %q was cut:\n%s", width, piece, out)
			}
		}
	}
}
