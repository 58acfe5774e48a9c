package gitstore

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestIdentity(t *testing.T) {
	home := isolate(t)
	dir := newRepo(t, map[string]string{"a.txt": "a\n"})
	r := open(t, dir)
	check := func(wantName, wantEmail string) {
		t.Helper()
		name, email, err := r.Identity()
		if err != nil || name != wantName || email != wantEmail {
			t.Errorf("Identity() = %q, %q, %v; want %q, %q", name, email, err, wantName, wantEmail)
		}
	}
	writeFile := func(name, content string) {
		t.Helper()
		os.MkdirAll(filepath.Dir(name), 0o755)
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	if _, _, err := r.Identity(); err == nil || !strings.Contains(err.Error(), "user.email") {
		t.Errorf("Identity() without any = %v, want an error naming user.email", err)
	}

	t.Setenv("EMAIL", "env-fallback@example.com")
	t.Setenv("GIT_AUTHOR_NAME", "Env Name")
	check("Env Name", "env-fallback@example.com")
	os.Unsetenv("GIT_AUTHOR_NAME")

	writeFile(filepath.Join(home, ".config", "git", "config"), "[user]\n\tname = Xdg User\n\temail = xdg@example.com\n")
	check("Xdg User", "xdg@example.com")

	writeFile(filepath.Join(home, ".gitconfig"), "[user]\n\tname = Global User\n\temail = global@example.com\n")
	check("Global User", "global@example.com") // ~/.gitconfig wins over the XDG file

	writeFile(filepath.Join(home, "work.gitconfig"), "[user]\n\temail = work@example.com\n")
	writeFile(filepath.Join(home, ".gitconfig"), "[user]\n\tname = Global User\n\temail = global@example.com\n"+
		"[includeIf \"gitdir:"+filepath.ToSlash(dir)+"/\"]\n\tpath = work.gitconfig\n"+
		"[includeIf \"gitdir:/elsewhere/\"]\n\tpath = nowhere.gitconfig\n")
	check("Global User", "work@example.com")

	gitCmd(t, dir, "config", "user.email", "repo@example.com")
	check("Global User", "repo@example.com") // the repository wins over global

	gitCmd(t, dir, "config", "author.email", "author@example.com")
	check("Global User", "author@example.com")
	if _, email, _ := r.CommitterIdentity(); email != "repo@example.com" {
		t.Errorf("CommitterIdentity email = %q, want repo@example.com", email)
	}

	t.Setenv("GIT_AUTHOR_NAME", "Env Author")
	t.Setenv("GIT_AUTHOR_EMAIL", "env@example.com")
	check("Env Author", "env@example.com") // the environment wins over all config
	os.Unsetenv("GIT_AUTHOR_NAME")
	os.Unsetenv("GIT_AUTHOR_EMAIL")

	t.Setenv("GIT_COMMITTER_EMAIL", "committer-env@example.com")
	if _, email, _ := r.CommitterIdentity(); email != "committer-env@example.com" {
		t.Errorf("CommitterIdentity email = %q, want the environment's", email)
	}

	// GIT_CONFIG_GLOBAL replaces ~/.gitconfig and the XDG file.
	gitCmd(t, dir, "config", "--unset", "user.email")
	gitCmd(t, dir, "config", "--unset", "author.email")
	alt := filepath.Join(t.TempDir(), "alt.gitconfig")
	writeFile(alt, "[user]\n\tname = Alt User\n\temail = alt@example.com\n")
	t.Setenv("GIT_CONFIG_GLOBAL", alt)
	check("Alt User", "alt@example.com")

	// HOME decides where ~/.gitconfig is.
	os.Unsetenv("GIT_CONFIG_GLOBAL")
	home2 := t.TempDir()
	t.Setenv("HOME", home2)
	writeFile(filepath.Join(home2, ".gitconfig"), "[user]\n\tname = Second Home\n\temail = home2@example.com\n")
	check("Second Home", "home2@example.com")

	// What git says is what we say.
	gitName := strings.TrimSpace(gitCmdEnvClean(t, dir, "var", "GIT_AUTHOR_IDENT"))
	if !strings.HasPrefix(gitName, "Second Home <home2@example.com>") {
		t.Errorf("git var GIT_AUTHOR_IDENT = %q", gitName)
	}
}

// gitCmdEnvClean runs git without the fixed identity of gitCmd.
func gitCmdEnvClean(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := execGit(dir, args...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %v: %v", args, err)
	}
	return string(out)
}

func TestGlobRegexp(t *testing.T) {
	for _, tc := range []struct {
		pat, s string
		want   bool
	}{
		{"/home/a/work/**", "/home/a/work/x/.git", true},
		{"/home/a/work/**", "/home/a/other/.git", false},
		{"**/proj/.git", "/srv/proj/.git", true},
		{"/srv/*/.git", "/srv/proj/.git", true},
		{"/srv/*/.git", "/srv/a/b/.git", false},
		{"feature/**", "feature/x/y", true},
		{"rel-[0-9]", "rel-3", true},
		{"rel-[!0-9]", "rel-3", false},
	} {
		re, err := globRegexp(tc.pat, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := re.MatchString(tc.s); got != tc.want {
			t.Errorf("glob %q on %q = %v, want %v", tc.pat, tc.s, got, tc.want)
		}
	}
}
