package cli

import (
	"strings"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/i18n"
)

// chooseLanguage sets the language of everything the command will say,
// before the command tree is built: help text is part of the tree, and
// --help runs no pre-run. The first of these that names a language opsbook
// speaks decides:
//
//  1. --lang (a value opsbook does not speak is a usage error);
//  2. LC_ALL, LC_MESSAGES, LANG, read as the C library does (C, POSIX and
//     C.UTF-8 name no language and leave the choice to the policy);
//  3. the policy's language, read from .opsbook.yaml of the repository
//     found from -C/--dir without loading anything else;
//  4. English.
func chooseLanguage(args []string, io *Streams) error {
	lang, dir, hasLang := scanLangArgs(args)
	tag := i18n.English
	if env, ok := i18n.FromEnv(orEmpty(io.Getenv)); ok {
		tag = env
	} else if p := config.LanguageOf(dir); p != "" {
		tag, _ = i18n.Parse(p)
	}
	i18n.Set(tag)
	if !hasLang {
		return nil
	}
	t, ok := i18n.Parse(lang)
	if !ok {
		return usageErr("--lang %q is not a language opsbook speaks: zh-Hant or en", lang)
	}
	i18n.Set(t)
	return nil
}

func orEmpty(getenv func(string) string) func(string) string {
	if getenv == nil {
		return func(string) string { return "" }
	}
	return getenv
}

// scanLangArgs finds --lang and -C/--dir among the arguments as cobra will
// parse them (up to a "--").
func scanLangArgs(args []string) (lang, dir string, hasLang bool) {
	dir = "."
	for i := 0; i < len(args); i++ {
		a := args[i]
		next := func() string {
			if i+1 < len(args) {
				i++
				return args[i]
			}
			return ""
		}
		switch {
		case a == "--":
			return lang, dir, hasLang
		case a == "--lang":
			lang, hasLang = next(), true
		case strings.HasPrefix(a, "--lang="):
			lang, hasLang = strings.TrimPrefix(a, "--lang="), true
		case a == "-C" || a == "--dir":
			dir = next()
		case strings.HasPrefix(a, "--dir="):
			dir = strings.TrimPrefix(a, "--dir=")
		case strings.HasPrefix(a, "-C"):
			dir = strings.TrimPrefix(strings.TrimPrefix(a, "-C"), "=")
		}
	}
	return lang, dir, hasLang
}

// langValue is --lang: checked again by cobra's parse so that a value
// scanLangArgs could not see (it cannot miss one) still fails.
type langValue struct{ s *string }

func (v langValue) String() string { return *v.s }
func (v langValue) Type() string   { return "LANG" }
func (v langValue) Set(s string) error {
	if _, ok := i18n.Parse(s); !ok {
		return i18n.Errorf("%q is not a language opsbook speaks: zh-Hant or en", s)
	}
	*v.s = s
	return nil
}
