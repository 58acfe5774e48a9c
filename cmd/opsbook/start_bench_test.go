package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/gen"
)

// BenchmarkStart runs the built opsbook as a new process, the way people
// and scripts run it, so that what every process pays before it does its
// job (the runtime, package initialisation, the command tree, the message
// catalogs, the policy and its schema) is counted, which a benchmark inside
// one process pays only once. It reports wall time per run (ns/op) and the
// CPU time of the process (cpu-ms/op, user and system). The department is a
// copy of the shipped sample of OPSBOOK_BENCH_N records (default 1,000) in
// a git repository, warmed by one run of each command first.
//
//	go test ./cmd/opsbook -run '^$' -bench Start
func BenchmarkStart(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "opsbook")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		b.Fatal(err)
	}
	n := 1000
	if s := os.Getenv("OPSBOOK_BENCH_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	dir := filepath.Join(b.TempDir(), "dept")
	if _, err := gen.Replicate(context.Background(), dir, gen.ReplicateOptions{From: filepath.Join("..", ".."), Records: n, Commits: 2}); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
		ok   bool // exit status 0
	}{
		{"usage-error", []string{"show"}, false},
		{"show", []string{"show", "EXP-2026-0016"}, true},
		{"show-en", []string{"show", "EXP-2026-0016", "--lang", "en"}, true},
		{"show-json", []string{"show", "EXP-2026-0016", "-o", "json"}, true},
		{"history", []string{"history", "EXP-2026-0016"}, true},
	} {
		b.Run(c.name, func(b *testing.B) {
			run := func() time.Duration {
				cmd := exec.Command(bin, c.args...)
				cmd.Dir = dir
				cmd.Env = append(os.Environ(), "GIT_AUTHOR_EMAIL=wang.fang@example.com", "NO_COLOR=1")
				err := cmd.Run()
				if (err == nil) != c.ok {
					b.Fatalf("opsbook %v: %v", c.args, err)
				}
				u := cmd.ProcessState.SysUsage().(*syscall.Rusage)
				return time.Duration(u.Utime.Nano() + u.Stime.Nano())
			}
			run()
			var cpu time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				cpu += run()
			}
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}
