package cli

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionComesFromTheBuildInfo(t *testing.T) {
	was := readBuildInfo
	defer func() { readBuildInfo = was }()
	readBuildInfo = func() (*debug.BuildInfo, bool) {
		return &debug.BuildInfo{
			GoVersion: "go1.26.8",
			Main:      debug.Module{Path: "github.com/opsbook/opsbook", Version: "v1.4.2"},
			Settings: []debug.BuildSetting{
				{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
				{Key: "vcs.time", Value: "2026-12-01T08:00:00Z"},
				{Key: "vcs.modified", Value: "true"},
			},
		}, true
	}
	want := "opsbook v1.4.2 (commit 0123456789ab 2026-12-01T08:00:00Z, with uncommitted changes), go1.26.8\n"
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, _, code := run(t, false, true, args...)
		if code != 0 || out != want {
			t.Errorf("%v: exit %d, got %q, want %q", args, code, out, want)
		}
	}
	out, _, _ := run(t, false, true, "version", "-o", "json")
	for _, s := range []string{`"version": "v1.4.2"`, `"commit": "0123456789abcdef0123456789abcdef01234567"`, `"modified": true`} {
		if !strings.Contains(out, s) {
			t.Errorf("json lacks %s:\n%s", s, out)
		}
	}
	readBuildInfo = func() (*debug.BuildInfo, bool) { return nil, false }
	if out, _, _ := run(t, false, true, "version"); out != "opsbook unknown\n" {
		t.Errorf("without build info: %q", out)
	}
}
