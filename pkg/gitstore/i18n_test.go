package gitstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	git "github.com/go-git/go-git/v5"
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

// TestRepositoryErrorsInChinese: the refusals a user meets when the git
// repository is in an unusual state read whole in Chinese, keep their
// English, and still wrap their sentinel.
func TestRepositoryErrorsInChinese(t *testing.T) {
	isolate(t)
	defer i18n.Set(i18n.English)
	i18n.Set(i18n.Chinese)
	check := func(name string, err, sentinel error, zh, en string) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: no error", name)
			return
		}
		if sentinel != nil && !errors.Is(err, sentinel) {
			t.Errorf("%s: %v does not wrap %v", name, err, sentinel)
		}
		if !strings.Contains(err.Error(), zh) {
			t.Errorf("%s:\n got %q\nwant %q in it", name, err.Error(), zh)
		}
		if got := i18n.EnglishOf(err); !strings.Contains(got, en) {
			t.Errorf("%s in English:\n got %q\nwant %q in it", name, got, en)
		}
	}

	plain := t.TempDir()
	_, err := Open(plain)
	check("no .git", err, ErrNotRepository, "不是 git 儲存庫："+plain+" 沒有 .git；請用 `opsbook init`（或 `git init`）建立", "not a git repository: "+plain+" has no .git")

	dir := newRepo(t, map[string]string{"a.txt": "a\n"})
	bare := filepath.Join(t.TempDir(), "b.git")
	gitCmd(t, dir, "clone", "-q", "--bare", dir, bare)
	_, err = Open(bare)
	check("bare", err, ErrNotRepository, "不是 git 儲存庫（需要有工作目錄）："+bare+" 是裸儲存庫", "is a bare repository")

	r := open(t, dir)
	lock := filepath.Join(dir, ".git", "index.lock")
	writeFiles(t, dir, map[string]string{".git/index.lock": ""})
	check("index.lock", r.CheckState(), ErrState, "儲存庫目前的狀態無法 commit："+lock+" 已存在：似乎有另一個 git 程序正在此儲存庫中執行", "repository is not in a state to commit: "+lock+" exists")
	os.Remove(lock)

	writeFiles(t, dir, map[string]string{".git/MERGE_HEAD": "x\n"})
	check("merge", r.CheckState(), ErrState, "儲存庫目前的狀態無法 commit：合併（merge）正在進行中；請用 `git commit` 完成它，或用 `git merge --abort` 中止它，然後再執行 opsbook", "a merge is in progress; finish it with `git commit`")
	os.Remove(filepath.Join(dir, ".git", "MERGE_HEAD"))

	gitCmd(t, dir, "checkout", "-q", "--detach")
	check("detached", r.CheckState(), ErrState, "HEAD 處於分離狀態，停在 ", "HEAD is detached at ")
	gitCmd(t, dir, "checkout", "-q", "main")

	check("outside", checkPath("../x"), ErrBadPath, `路徑不正確 "../x"：在儲存庫之外`, `bad path "../x": outside the repository`)

	_, _, err = r.Identity()
	check("identity", err, nil, "沒有 git 身分：未設定作者的電子郵件；請執行 `git config --global user.email you@example.com`（或設定 GIT_AUTHOR_EMAIL）", "no git identity: author email is not set")
	_, _, err = signatures(Signature{Name: "A"}, Signature{})
	check("signature", err, nil, "commit：「作者」沒有電子郵件", "committing: the author has no email")

	gone := filepath.Join(plain, "gone")
	check("not writable", (&Repo{gitDir: gone}).checkWritable(), ErrState, "儲存庫目前的狀態無法 commit：無法寫入 "+gone+"：", "repository is not in a state to commit: cannot write to "+gone+": ")
	check("write", WriteFileAtomic(filepath.Join(gone, "x"), nil, 0o644), fs.ErrNotExist, "寫入 "+filepath.Join(gone, "x")+" 失敗：", "writing "+filepath.Join(gone, "x")+": ")

	ext := fmt.Errorf("%w: partialclone", git.ErrUnsupportedExtensionRepositoryFormatVersion)
	err = extensionErr(dir, ext)
	check("extension", err, ErrState, dir+" 的 git 設定開啟了 opsbook 無法讀取的擴充（"+ext.Error()+"）；請查看 .git/config 的 [extensions]", "the git config of "+dir+" turns on an extension opsbook cannot read ("+ext.Error()+"); see [extensions] in .git/config")
	if !errors.Is(err, git.ErrUnsupportedExtensionRepositoryFormatVersion) {
		t.Error("the extension's error does not wrap go-git's")
	}
	check("another extension", extensionErr(dir, git.ErrUnknownExtension), ErrState, "；請查看 .git/config 的 [extensions]", "; see [extensions] in .git/config")

	gitCmd(t, dir, "update-index", "--split-index")
	check("split index", r.CheckState(), nil, "這是分割索引（`git update-index --split-index`，或 core.splitIndex），opsbook 無法讀取", "it is a split index")
	if got := requiredExtensionFix(nil).String(); got != "它使用了 opsbook 無法讀取的擴充" {
		t.Errorf("an unknown extension = %q", got)
	}
}
