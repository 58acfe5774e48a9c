package gitstore

import (
	"testing"

	"github.com/opsbook/opsbook/pkg/i18n"
)

// TestFindingsInChinese: doctor's findings and the busy error keep the
// English for -o json and say it in the reader's language for people.
func TestFindingsInChinese(t *testing.T) {
	defer i18n.Set(i18n.English)
	i18n.Set(i18n.Chinese)
	f := finding(CodeLeftoverTemp, "records/x", "temporary file left by an interrupted write")
	if f.Message != "temporary file left by an interrupted write" || f.Human() != "中斷的寫入遺留的暫存檔" {
		t.Fatalf("finding = %+v", f)
	}
	be := &BusyError{Path: ".git/opsbook.lock", PID: 42, Owner: Owner{Host: "ops-1"}, State: Foreign}
	en, zh := be.Texts()
	if en != "another opsbook is working in this repository (process 42 on ops-1): the lock file .git/opsbook.lock belongs to another host and is never broken from here; if no opsbook runs there, remove it and try again" {
		t.Fatalf("English = %q", en)
	}
	if zh != "另一個 opsbook 正在使用此儲存庫（ops-1 上的程序 42）：鎖定檔 .git/opsbook.lock 屬於另一台主機，絕不會從這裡強制解除；若那裡沒有執行 opsbook，請刪除它後再試" || be.Error() != zh {
		t.Fatalf("Chinese = %q, Error = %q", zh, be.Error())
	}
}
