// Package gittest builds git repositories for the tests and benchmarks of
// the packages that read history: a generated department of honest
// commits, written through git fast-import.
package gittest

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// People is the registry of generated repositories: handle, role, who
// they report to.
var People = [][3]string{
	{"wang.fang", "director", ""},
	{"zhang.min", "manager", "wang.fang"},
	{"chen.hao", "manager", "wang.fang"},
	{"huang.jianguo", "leadership", ""},
	{"he.jing", "finance", ""},
	{"li.wei", "specialist", "zhang.min"},
	{"sun.li", "specialist", "chen.hao"},
	{"zhao.lei", "specialist", "zhang.min"},
	{"wu.qiang", "specialist", "chen.hao"},
}

func PersonYAML(handle, role, reportsTo string) string {
	s := fmt.Sprintf("kind: person\nid: %s\nname: %s\nrole: %s\nemails: [%s@example.com]\n", handle, handle, role, handle)
	if reportsTo != "" {
		s += "reports_to: " + reportsTo + "\n"
	}
	return s + "active: true\n"
}

func ExpenseYAML(id, status, claimant, amount string) string {
	return fmt.Sprintf(`kind: expense
id: %s
title: 客戶拜訪差旅 %s
status: %s
claimant: %s
date: 2026-03-02
category: travel
amount: %s
items:
  - description: 高鐵票
    amount: %s
    receipt: attachments/%s/ticket.txt
note: generated for the benchmarks
`, id, id, status, claimant, amount, amount, id)
}

// Gen writes a repository of commits commits through git fast-import:
// an import of the registry, then expense claims each created by its
// claimant, submitted, approved by a manager and paid by finance, one
// commit each, with every tenth claim submitted on a branch merged back
// with a merge commit. Every commit is honest, dates are fixed.
func Gen(tb testing.TB, dir string, commits int) {
	tb.Helper()
	Git(tb, dir, nil, "init", "-q", "-b", "main")
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	when := time.Date(2026, 1, 5, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
	mark := 0
	last := 0
	commit := func(branch, who string, files map[string]string, merge int) int {
		mark++
		when = when.Add(7 * time.Minute)
		fmt.Fprintf(w, "commit refs/heads/%s\nmark :%d\n", branch, mark)
		fmt.Fprintf(w, "author %s <%s@example.com> %d +0800\n", who, who, when.Unix())
		fmt.Fprintf(w, "committer %s <%s@example.com> %d +0800\n", who, who, when.Unix())
		msg := fmt.Sprintf("change %d", mark)
		fmt.Fprintf(w, "data %d\n%s\n", len(msg), msg)
		if last > 0 && branch == "main" {
			fmt.Fprintf(w, "from :%d\n", last)
		}
		if merge > 0 {
			fmt.Fprintf(w, "merge :%d\n", merge)
		}
		for p, c := range files {
			fmt.Fprintf(w, "M 100644 inline %s\ndata %d\n%s\n", p, len(c), c)
		}
		if branch == "main" {
			last = mark
		}
		return mark
	}
	root := map[string]string{".opsbook.yaml": "currency: CNY\n", "README.md": "generated\n"}
	for _, p := range People {
		root["records/people/"+p[0]+".yaml"] = PersonYAML(p[0], p[1], p[2])
	}
	commit("main", "wang.fang", root, 0)
	claimants := []string{"li.wei", "sun.li", "zhao.lei", "wu.qiang"}
	approver := map[string]string{"li.wei": "zhang.min", "sun.li": "chen.hao", "zhao.lei": "zhang.min", "wu.qiang": "chen.hao"}
	n := 1
	for i := 1; n < commits; i++ {
		id := fmt.Sprintf("EXP-2026-%04d", i)
		p := "records/expenses/2026/" + id + ".yaml"
		who := claimants[i%len(claimants)]
		amount := fmt.Sprintf("%d.%02d", 100+i%4000, i%100)
		commit("main", who, map[string]string{p: ExpenseYAML(id, "draft", who, amount)}, 0)
		n++
		if i%10 == 0 && n+2 <= commits {
			branch := fmt.Sprintf("claim-%d", i)
			fmt.Fprintf(w, "reset refs/heads/%s\nfrom :%d\n\n", branch, last)
			b := commit(branch, who, map[string]string{p: ExpenseYAML(id, "submitted", who, amount)}, 0)
			commit("main", who, map[string]string{p: ExpenseYAML(id, "submitted", who, amount)}, b)
			n += 2
		} else if n < commits {
			commit("main", who, map[string]string{p: ExpenseYAML(id, "submitted", who, amount)}, 0)
			n++
		}
		if n < commits {
			commit("main", approver[who], map[string]string{p: ExpenseYAML(id, "approved", who, amount)}, 0)
			n++
		}
		if n < commits {
			commit("main", "he.jing", map[string]string{p: ExpenseYAML(id, "paid", who, amount)}, 0)
			n++
		}
		if i%25 == 0 && n < commits {
			commit("main", "wang.fang", map[string]string{"README.md": fmt.Sprintf("generated, round %d\n", i)}, 0)
			n++
		}
	}
	w.Flush()
	cmd := exec.Command("git", "-c", "core.compression=1", "fast-import", "--quiet")
	cmd.Dir = dir
	cmd.Stdin = &buf
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("git fast-import: %v\n%s", err, out)
	}
	Git(tb, dir, nil, "symbolic-ref", "HEAD", "refs/heads/main")
}

// Git runs git in dir with a fixed, isolated configuration.
func Git(tb testing.TB, dir string, env []string, args ...string) string {
	tb.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir, "GIT_CONFIG_GLOBAL="+filepath.Join(dir, ".gitconfig-none"),
		"TZ=Asia/Shanghai", "LC_ALL=C")
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}
