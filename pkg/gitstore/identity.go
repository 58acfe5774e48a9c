package gitstore

import (
	"os"
	"os/user"
	"path/filepath"
	"strings"

	"github.com/opsbook/opsbook/pkg/i18n"
)

// Identity returns the author identity git would use for a commit here:
// GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL from the environment first, then
// author.name/author.email and user.name/user.email from the configuration
// (repository, then global: $GIT_CONFIG_GLOBAL, or $XDG_CONFIG_HOME/git/config
// and $HOME/.gitconfig, then system; include and includeIf gitdir:/onbranch:
// are followed), then $EMAIL. Without an email it is an error; without a name
// the login's full name or user name stands in, unless user.useConfigOnly.
func (r *Repo) Identity() (name, email string, err error) {
	return r.identity("AUTHOR", "author")
}

// CommitterIdentity is Identity for the committer: GIT_COMMITTER_NAME and
// GIT_COMMITTER_EMAIL, then committer.name/committer.email, then the same
// fallbacks as Identity.
func (r *Repo) CommitterIdentity() (name, email string, err error) {
	return r.identity("COMMITTER", "committer")
}

func (r *Repo) identity(envRole, cfgRole string) (name, email string, err error) {
	cfg, err := r.config()
	if err != nil {
		return "", "", err
	}
	name = firstNonEmpty(os.Getenv("GIT_"+envRole+"_NAME"), cfg.getString(cfgRole+".name"), cfg.getString("user.name"))
	email = firstNonEmpty(os.Getenv("GIT_"+envRole+"_EMAIL"), cfg.getString(cfgRole+".email"), cfg.getString("user.email"), os.Getenv("EMAIL"))
	configOnly, err := cfg.getBool("user.useconfigonly", false)
	if err != nil {
		return "", "", err
	}
	if name == "" && !configOnly {
		if u, err := user.Current(); err == nil {
			name = firstNonEmpty(strings.TrimSpace(strings.Split(u.Name, ",")[0]), u.Username)
		}
	}
	who := roleAuthor
	if cfgRole == "committer" {
		who = roleCommitter
	}
	if email == "" {
		return "", "", i18n.Errorf("no git identity: %s email is not set; run `git config --global user.email you@example.com` (or set GIT_%s_EMAIL)", who, envRole)
	}
	if name == "" {
		return "", "", i18n.Errorf("no git identity: %s name is not set; run `git config --global user.name \"Your Name\"` (or set GIT_%s_NAME)", who, envRole)
	}
	if err := checkIdent(name, email); err != nil {
		return "", "", err
	}
	return name, email, nil
}

// The roles of a commit's two people, as messages name them.
var (
	roleAuthor    = i18n.P("author")
	roleCommitter = i18n.P("committer")
)

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// checkIdent refuses characters that would corrupt a commit's author line.
func checkIdent(name, email string) error {
	if strings.ContainsAny(name, "<>\n\x00") {
		return i18n.Errorf("git identity: name %q contains <, > or a newline", name)
	}
	if strings.ContainsAny(email, "<>\n\x00 ") {
		return i18n.Errorf("git identity: email %q contains <, >, a space or a newline", email)
	}
	return nil
}

// AdoptIdentity makes name and email this repository's git identity (its
// own config's user.name and user.email) when the repository's config sets
// no user.email and git would otherwise commit as someone else or as no one.
// It reports whether it wrote the config. `opsbook init` uses it: the
// director it registers is the person at the keyboard, and opsbook knows
// people by their email, so the next command would fail as "unknown person".
func (r *Repo) AdoptIdentity(name, email string) (bool, error) {
	if err := checkIdent(name, email); err != nil {
		return false, err
	}
	cfg, err := r.repo.Config()
	if err != nil {
		return false, i18n.Errorf("reading the repository's git config: %w", err)
	}
	if strings.TrimSpace(cfg.User.Email) != "" {
		return false, nil
	}
	if _, cur, err := r.Identity(); err == nil && strings.EqualFold(cur, email) {
		return false, nil
	}
	cfg.User.Email = email
	if strings.TrimSpace(cfg.User.Name) == "" {
		cfg.User.Name = name
	}
	if err := r.repo.SetConfig(cfg); err != nil {
		return false, i18n.Errorf("writing the repository's git config: %w", err)
	}
	return true, nil
}

// ConfiguredIdentity is the name and email the person at the machine has
// told git, as a commit in dir would take them: GIT_AUTHOR_NAME and
// GIT_AUTHOR_EMAIL, then author.* and user.* of the repository dir is in
// (when it is in one) or of the global and system configuration, then
// EMAIL for the email. Unlike Identity it guesses nothing (no user name
// from the system's accounts): "" for what none of them gives. init takes
// it for the first person when --name or --email is not given.
func ConfiguredIdentity(dir string) (name, email string) {
	var cfg *gitConfig
	if r, err := Open(dir); err == nil {
		cfg, _ = r.config()
	} else {
		// the repository init is about to make there: git takes an
		// includeIf "gitdir:" of the global configuration (a work
		// identity for the repositories under ~/work/) as soon as it
		// exists, and so does every commit in it
		l := &configLoader{cfg: &gitConfig{}, home: homeDir()}
		if abs, err := filepath.Abs(dir); err == nil {
			l.gitDirs = []string{filepath.Join(abs, ".git")}
		}
		if b, _ := parseGitBool(os.Getenv("GIT_CONFIG_NOSYSTEM")); !b {
			sys := os.Getenv("GIT_CONFIG_SYSTEM")
			if sys == "" {
				sys = "/etc/gitconfig"
			}
			l.loadFile(sys, 0)
		}
		for _, f := range globalConfigFiles(l.home) {
			l.loadFile(f, 0)
		}
		cfg = l.cfg
	}
	if cfg == nil {
		cfg = &gitConfig{}
	}
	name = firstNonEmpty(os.Getenv("GIT_AUTHOR_NAME"), cfg.getString("author.name"), cfg.getString("user.name"))
	email = firstNonEmpty(os.Getenv("GIT_AUTHOR_EMAIL"), cfg.getString("author.email"), cfg.getString("user.email"), os.Getenv("EMAIL"))
	return strings.TrimSpace(name), strings.TrimSpace(email)
}
