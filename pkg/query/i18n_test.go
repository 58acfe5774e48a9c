package query

import (
	"testing"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
)

// A mistake in --where, --sort or --columns is said in the reader's
// language, every part of it: the type of a field and of a value, what was
// expected and found, the kind; the caret is under the same place.
func TestErrorsInChinese(t *testing.T) {
	defer i18n.Set(i18n.English)
	i18n.Set(i18n.Chinese)
	for _, c := range []struct{ expr, want string }{
		{"amount >", "第 9 個字元：> 之後應有值，運算式卻已結束"},
		{"amount > abc", "第 10 個字元：金額欄位 \"amount\" 不能與文字 \"abc\" 比較：請寫數字，例如 1000 或 0.30"},
		{"amuont > 5", "第 1 個字元：報銷單紀錄沒有欄位 \"amuont\"（你是指 \"amount\" 嗎？）"},
		{"status => x", "第 8 個字元：不認識的運算子 \"=>\"（你是指 \">=\" 嗎？）"},
		{"title = a b", "第 11 個字元：這裡應是 and、or 或運算式的結尾，卻是 \"b\"（含空格的文字要加引號：'像這樣'）"},
		{"(title = a", "第 1 個字元：括號沒有結束：這個 ( 沒有對應的 )"},
		{"date > 2026-02-30", "第 8 個字元：2026-02-30 不是真實存在的日期"},
		{"title contains", "第 15 個字元：contains 之後應有值，運算式卻已結束"},
		// a listed word typed in Chinese, or misspelt, would select nothing
		{"status = 已提交", "第 10 個字元：status 沒有 \"已提交\" 這個值（你是指 \"submitted\" 嗎？）；可用的值：\"draft\"（草稿）、\"submitted\"（已提交）、\"reviewed\"（已審閱）、\"approved\"（已核准）、\"returned\"（已退回）、\"rejected\"（已駁回）、\"paid\"（已付款）"},
		{"status in (draft, submited)", "第 19 個字元：status 沒有 \"submited\" 這個值（你是指 \"submitted\" 嗎？）；可用的值：\"draft\"（草稿）、\"submitted\"（已提交）、\"reviewed\"（已審閱）、\"approved\"（已核准）、\"returned\"（已退回）、\"rejected\"（已駁回）、\"paid\"（已付款）"},
		// a field typed as its Chinese word: the key meant; another Chinese
		// word: no guess (標題 is two edits from id, and nothing like it)
		{"金額 > 5", "第 1 個字元：報銷單紀錄沒有欄位 \"金額\"（你是指 \"amount\" 嗎？）"},
		{"亂碼 > 5", "第 1 個字元：報銷單紀錄沒有欄位 \"亂碼\""},
		{"category = 差旅", "第 12 個字元：category 比較的是檔案中所寫的值：\"差旅\" 是 \"travel\" 的中文（請寫 travel）"},
	} {
		_, err := Parse(c.expr, fieldsOf(t, record.Expense))
		if err == nil || err.Error() != c.want {
			t.Errorf("%q: %v\nwant %s", c.expr, err, c.want)
		}
	}
	if _, err := ParseSort("amuont", fieldsOf(t, record.Expense)); err == nil || err.Error() != "第 1 個字元：報銷單紀錄沒有欄位 \"amuont\"（你是指 \"amount\" 嗎？）" {
		t.Errorf("--sort: %v", err)
	}
	i18n.Set(i18n.English)
	if _, err := Parse("amount > abc", fieldsOf(t, record.Expense)); err == nil || err.Error() != `column 10: comparing amount of money field "amount" to text "abc": write a number like 1000 or 0.30` {
		t.Errorf("English: %v", err)
	}
}
