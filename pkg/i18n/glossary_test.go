package i18n

import (
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The glossary at the top of catalog/terms.zh-Hant.yaml fixes one word for
// each thing; a translation that uses another word for it reads as a
// different thing. Each entry: the word that must not appear → the
// glossary's word.
var offGlossary = map[string]string{
	"公司領導":  "公司高層 (leadership)",
	"工作報告":  "工作匯報 (status report)",
	"已提交 %": "已 commit (commit; 已提交 is the state submitted)",
	"一次提交":  "同一個 commit (commit; 提交 is submit)",
	"計劃":    "計畫 (plan)",
	"報銷申請":  "報銷單 (expense claim)",
	"移動":    "狀態轉換 (move)",
	"筆記錄":   "筆紀錄 (record; 記錄 is to record)",
	"記錄編號":  "紀錄編號 (record id)",
	"所列記錄":  "所列紀錄 (record)",
	"%s 記錄": "%s紀錄 (record)",
	"完成或取消": "完成或已放棄 (an action item dropped is 已放棄; 取消 is cancelled)",
	"完成或刪除": "完成或已放棄 (an action item dropped is 已放棄)",
	"主辦人":   "組織人 (a training's organiser, as its field is named)",
	"沒有提交":  "沒有 commit (commit; 提交 is submit)",
	"父提交":   "父 commit (a git commit's parent; 提交 is submit)",
	"合併提交":  "合併 commit (a merge commit; 提交 is submit)",
	"提交者":   "committer (提交 is submit)",
}

func TestCatalogKeepsToTheGlossary(t *testing.T) {
	cat, err := Catalog()
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for f := range cat {
		files = append(files, f)
	}
	sort.Strings(files)
	for _, f := range files {
		for key, zh := range cat[f] {
			for bad, good := range offGlossary {
				if strings.Contains(zh, bad) {
					t.Errorf("%s: %q → %q says %q; the glossary's word is %s", f, key, zh, bad, good)
				}
			}
		}
	}
}

// TestThisYearOnlyWhereTheEnglishSaysSo: 今年 is the current year; a
// message about the year a report was asked for (--year 2025) says 該年度,
// as its English says "the year" or "in the year". Only an English text
// that says "this year" may say 今年 (the help's defaults).
func TestThisYearOnlyWhereTheEnglishSaysSo(t *testing.T) {
	cat, err := Catalog()
	if err != nil {
		t.Fatal(err)
	}
	for f, m := range cat {
		for key, zh := range m {
			if strings.Contains(zh, "今年") && !strings.Contains(strings.ToLower(key), "this year") && !strings.Contains(strings.ToLower(key), "current year") {
				t.Errorf("%s: %q → %q says 今年 where the English says no \"this year\"", f, key, zh)
			}
		}
	}
}

// commitRE finds a git commit in an English key: commit, commits,
// committed, committing, committer (not "--no-commit" or "commit: false",
// which name a flag and a policy key and are written as they are).
var commitRE = regexp.MustCompile(`(?i)\bcommit(s|ted|ting|ter)?\b`)

// TestGitCommitIsCommit: 提交 is submitting a record (the state 已提交, the
// verb submit), so a git commit is written "commit", as the glossary says;
// a translation of a message about a commit that says 提交 would read as a
// record being submitted. A message about both says submit with 提交 and
// the commit with commit.
func TestGitCommitIsCommit(t *testing.T) {
	cat, err := Catalog()
	if err != nil {
		t.Fatal(err)
	}
	for f, m := range cat {
		for key, zh := range m {
			if !strings.Contains(zh, "提交") || strings.Contains(strings.ToLower(key), "submit") {
				continue
			}
			if commitRE.MatchString(key) || strings.Contains(key, "git add") {
				t.Errorf("%s: %q → %q says 提交 (submit) for a git commit: write commit", f, key, zh)
			}
		}
	}
}
