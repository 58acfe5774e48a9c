package gitstore

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/go-git/gcfg"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/opsbook/opsbook/pkg/i18n"
)

// gitConfig is the merged git configuration in the order git reads it:
// system, global, local, worktree, then GIT_CONFIG_COUNT pairs from the
// environment, with include and includeIf files spliced in where they are
// named. The last value of a key wins, as in git.
type gitConfig struct {
	entries []configEntry
}

type configEntry struct {
	key   string // section[.subsection].name, section and name lower-cased
	value string
	blank bool // "key" with no "=": boolean true
}

func (c *gitConfig) get(key string) (string, bool) {
	for i := len(c.entries) - 1; i >= 0; i-- {
		if e := c.entries[i]; e.key == key {
			if e.blank {
				return "true", true
			}
			return e.value, true
		}
	}
	return "", false
}

func (c *gitConfig) getString(key string) string {
	v, _ := c.get(key)
	return v
}

// getBool reads a git boolean (true/yes/on/1, false/no/off/0/"", or an
// integer); def is returned when the key is not set.
func (c *gitConfig) getBool(key string, def bool) (bool, error) {
	v, ok := c.get(key)
	if !ok {
		return def, nil
	}
	b, err := parseGitBool(v)
	if err != nil {
		return def, i18n.Errorf("git config %s: %w", key, err)
	}
	return b, nil
}

func parseGitBool(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "yes", "on":
		return true, nil
	case "false", "no", "off", "":
		return false, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return false, i18n.Errorf("bad boolean value %q", v)
	}
	return n != 0, nil
}

func configKey(section, subsection, name string) string {
	if subsection == "" {
		return strings.ToLower(section) + "." + strings.ToLower(name)
	}
	return strings.ToLower(section) + "." + subsection + "." + strings.ToLower(name)
}

// config reads the configuration git would use in this repository.
func (r *Repo) config() (*gitConfig, error) {
	branch := ""
	if head, err := r.repo.Storer.Reference(plumbing.HEAD); err == nil && head.Type() == plumbing.SymbolicReference {
		branch = head.Target().Short()
	}
	return loadConfig(r.gitDir, r.commonDir, branch)
}

// loadConfig reads the configuration git would use in the repository of
// gitDir (its common directory commonDir), on branch (for onbranch:
// includes; "" when HEAD is detached).
func loadConfig(gitDir, commonDir, branch string) (*gitConfig, error) {
	l := &configLoader{
		cfg:     &gitConfig{},
		home:    homeDir(),
		gitDirs: []string{gitDir},
		branch:  branch,
	}
	if real, err := filepath.EvalSymlinks(gitDir); err == nil && real != gitDir {
		l.gitDirs = append(l.gitDirs, real)
	}

	if b, _ := parseGitBool(os.Getenv("GIT_CONFIG_NOSYSTEM")); !b {
		sys := os.Getenv("GIT_CONFIG_SYSTEM")
		if sys == "" {
			sys = "/etc/gitconfig"
		}
		if err := l.loadFile(sys, 0); err != nil {
			return nil, err
		}
	}
	for _, f := range globalConfigFiles(l.home) {
		if err := l.loadFile(f, 0); err != nil {
			return nil, err
		}
	}
	if err := l.loadFile(filepath.Join(commonDir, "config"), 0); err != nil {
		return nil, err
	}
	if wt, _ := l.cfg.getBool("extensions.worktreeconfig", false); wt {
		if err := l.loadFile(filepath.Join(gitDir, "config.worktree"), 0); err != nil {
			return nil, err
		}
	}
	if err := l.loadEnv(); err != nil {
		return nil, err
	}
	return l.cfg, nil
}

// globalConfigFiles lists the global files git reads, lowest priority first:
// $GIT_CONFIG_GLOBAL alone when set, else $XDG_CONFIG_HOME/git/config (or
// ~/.config/git/config) and ~/.gitconfig.
func globalConfigFiles(home string) []string {
	if g, ok := os.LookupEnv("GIT_CONFIG_GLOBAL"); ok {
		if g == "" {
			return nil
		}
		return []string{expandHome(g, home)}
	}
	var files []string
	if x := os.Getenv("XDG_CONFIG_HOME"); x != "" {
		files = append(files, filepath.Join(x, "git", "config"))
	} else if home != "" {
		files = append(files, filepath.Join(home, ".config", "git", "config"))
	}
	if home != "" {
		files = append(files, filepath.Join(home, ".gitconfig"))
	}
	return files
}

func homeDir() string {
	if h := os.Getenv("HOME"); h != "" {
		return h
	}
	h, _ := os.UserHomeDir()
	return h
}

func expandHome(p, home string) string {
	if p == "~" {
		return home
	}
	if rest, ok := strings.CutPrefix(p, "~/"); ok && home != "" {
		return filepath.Join(home, rest)
	}
	return p
}

type configLoader struct {
	cfg     *gitConfig
	home    string
	gitDirs []string // the git directory, and its real path if different
	branch  string   // short name of the checked-out branch, for onbranch:
}

// maxIncludeDepth stops include cycles, as git does.
const maxIncludeDepth = 10

// loadFile appends the entries of a config file; a missing file is no
// error, as in git.
func (l *configLoader) loadFile(name string, depth int) error {
	if depth > maxIncludeDepth {
		return i18n.Errorf("reading git config %s: includes nested more than %d deep", name, maxIncludeDepth)
	}
	data, err := os.ReadFile(name)
	if errors.Is(err, os.ErrNotExist) || errors.Is(err, os.ErrPermission) {
		return nil
	}
	if err != nil {
		return i18n.Errorf("reading git config %s: %w", name, err)
	}
	dir := filepath.Dir(name)
	err = gcfg.ReadWithCallback(bytes.NewReader(data), func(section, subsection, key, value string, blank bool) error {
		if key == "" {
			return nil // a section header
		}
		l.cfg.entries = append(l.cfg.entries, configEntry{key: configKey(section, subsection, key), value: value, blank: blank})
		if !strings.EqualFold(key, "path") || blank {
			return nil
		}
		include := false
		switch {
		case strings.EqualFold(section, "include") && subsection == "":
			include = true
		case strings.EqualFold(section, "includeIf"):
			include = l.condition(subsection, dir)
		}
		if !include {
			return nil
		}
		p := expandHome(value, l.home)
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		return l.loadFile(p, depth+1)
	})
	if err != nil {
		return i18n.Errorf("reading git config %s: %w", name, err)
	}
	return nil
}

// condition evaluates an includeIf condition: gitdir:, gitdir/i: and
// onbranch:. Others (hasconfig:) are treated as false.
func (l *configLoader) condition(cond, configDir string) bool {
	kind, pat, ok := strings.Cut(cond, ":")
	if !ok {
		return false
	}
	switch kind {
	case "gitdir", "gitdir/i":
		switch {
		case strings.HasPrefix(pat, "~/"):
			pat = filepath.ToSlash(l.home) + pat[1:]
		case strings.HasPrefix(pat, "./"):
			pat = filepath.ToSlash(configDir) + pat[1:]
		case !strings.HasPrefix(pat, "/") && !filepath.IsAbs(pat):
			pat = "**/" + pat
		}
		if strings.HasSuffix(pat, "/") {
			pat += "**"
		}
		re, err := globRegexp(pat, kind == "gitdir/i")
		if err != nil {
			return false
		}
		for _, d := range l.gitDirs {
			if re.MatchString(filepath.ToSlash(d)) {
				return true
			}
		}
		return false
	case "onbranch":
		if l.branch == "" {
			return false
		}
		if strings.HasSuffix(pat, "/") {
			pat += "**"
		}
		re, err := globRegexp(pat, false)
		return err == nil && re.MatchString(l.branch)
	}
	return false
}

// loadEnv appends GIT_CONFIG_KEY_<n>=GIT_CONFIG_VALUE_<n> for n below
// GIT_CONFIG_COUNT, which git treats like `git -c`.
func (l *configLoader) loadEnv() error {
	s := os.Getenv("GIT_CONFIG_COUNT")
	if s == "" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return i18n.Errorf("bad GIT_CONFIG_COUNT %q", s)
	}
	for i := range n {
		k := os.Getenv(fmt.Sprintf("GIT_CONFIG_KEY_%d", i))
		if k == "" {
			return i18n.Errorf("GIT_CONFIG_KEY_%d is missing", i)
		}
		first := strings.Index(k, ".")
		last := strings.LastIndex(k, ".")
		if first < 0 {
			return i18n.Errorf("GIT_CONFIG_KEY_%d: bad key %q", i, k)
		}
		sub := ""
		if last > first {
			sub = k[first+1 : last]
		}
		l.cfg.entries = append(l.cfg.entries, configEntry{
			key:   configKey(k[:first], sub, k[last+1:]),
			value: os.Getenv(fmt.Sprintf("GIT_CONFIG_VALUE_%d", i)),
		})
	}
	return nil
}

// globRegexp compiles a wildmatch pattern as git uses it for includeIf:
// "*" and "?" stop at "/", "**" crosses directories.
func globRegexp(pat string, fold bool) (*regexp.Regexp, error) {
	var b strings.Builder
	if fold {
		b.WriteString("(?i)")
	}
	b.WriteString("^")
	for i := 0; i < len(pat); i++ {
		c := pat[i]
		switch {
		case strings.HasPrefix(pat[i:], "**/"):
			b.WriteString("(?:.*/)?")
			i += 2
		case strings.HasPrefix(pat[i:], "**"):
			b.WriteString(".*")
			i++
		case c == '*':
			b.WriteString("[^/]*")
		case c == '?':
			b.WriteString("[^/]")
		case c == '[':
			end := strings.IndexByte(pat[i+1:], ']')
			if end < 0 {
				b.WriteString(`\[`)
				continue
			}
			class := pat[i+1 : i+1+end]
			if strings.HasPrefix(class, "!") {
				class = "^" + class[1:]
			}
			b.WriteString("[" + strings.ReplaceAll(class, `\`, `\\`) + "]")
			i += end + 1
		case c == '\\' && i+1 < len(pat):
			i++
			b.WriteString(regexp.QuoteMeta(pat[i : i+1]))
		default:
			b.WriteString(regexp.QuoteMeta(pat[i : i+1]))
		}
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}

// ConfigBool reads the git boolean key (section.name, as `git config`
// names it) from the system, global and repository configuration, as git
// does; def when it is not set or not a boolean.
func (r *Repo) ConfigBool(key string, def bool) bool {
	cfg, err := r.config()
	if err != nil {
		return def
	}
	b, err := cfg.getBool(strings.ToLower(key), def)
	if err != nil {
		return def
	}
	return b
}
