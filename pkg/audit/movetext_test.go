package audit

import (
	"testing"

	"github.com/opsbook/opsbook/pkg/i18n"
)

// History and log say a move in the reader's language; in English the text
// is Move's, the words -o json and the tests read.
func TestMoveTextInBothLanguages(t *testing.T) {
	evs := []struct {
		e  Event
		zh string
	}{
		{Event{Action: ActionCreated, To: "draft"}, "新增（草稿）"},
		{Event{Action: ActionCreated}, "新增（無狀態）"},
		{Event{Action: ActionEdited, To: "paid"}, "修改（已付款）"},
		{Event{Action: ActionDeleted, From: "paid"}, "刪除（已付款）"},
		{Event{Action: ActionMoved, From: "submitted", To: "approved"}, "已提交 → 已核准"},
		{Event{Action: ActionRenumbered, RenumberedFrom: "EXP-2026-0027", From: "paid", To: "paid"}, "由 EXP-2026-0027 改號（已付款）"},
		{Event{Action: ActionRenumbered, RenumberedFrom: "EXP-2026-0027", From: "submitted", To: "approved"}, "由 EXP-2026-0027 改號，已提交 → 已核准"},
		{Event{Action: ActionUnreadable}, "無法讀取"},
	}
	defer i18n.Set(i18n.English)
	for _, c := range evs {
		i18n.Set(i18n.English)
		if en := c.e.MoveText(); en != c.e.Move() {
			t.Errorf("English MoveText %q, Move %q", en, c.e.Move())
		}
		i18n.Set(i18n.Chinese)
		if zh := c.e.MoveText(); zh != c.zh {
			t.Errorf("%s: Chinese %q, want %q", c.e.Move(), zh, c.zh)
		}
	}
	i18n.Set(i18n.Chinese)
	id := Identity{Handle: "li.wei", Role: "specialist"}
	if got := id.Text(); got != "li.wei（專員）" {
		t.Errorf("identity in Chinese: %q", got)
	}
	i18n.Set(i18n.English)
	if got := id.Text(); got != id.String() || got != "li.wei (specialist)" {
		t.Errorf("identity in English: %q", got)
	}
}
