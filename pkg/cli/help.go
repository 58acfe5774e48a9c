package cli

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/internal/cells"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/spf13/cobra"
)

// wrapCommandList wraps each command's one-line description in a help's
// list of commands at a terminal's width (0: not a terminal, as it is),
// under itself: the verbs' lists of moves are longer than a line.
func wrapCommandList(root *cobra.Command, width int) {
	const short = "{{rpad .Name .NamePadding }} {{.Short}}"
	tmpl := root.UsageTemplate()
	if width <= 0 || !strings.Contains(tmpl, short) {
		return
	}
	cobra.AddTemplateFunc("wrapShort", func(s string, pad int) string {
		indent := 2 + pad + 1 // "  ", the padded name, " "
		if width-indent < 20 {
			return s
		}
		return strings.Join(render.Wrap(s, width-indent), "\n"+strings.Repeat(" ", indent))
	})
	cobra.AddTemplateFunc("wrapFlags", func(s string) string { return wrapFlagLines(s, width) })
	tmpl = strings.ReplaceAll(tmpl, short, "{{rpad .Name .NamePadding }} {{wrapShort .Short .NamePadding}}")
	tmpl = strings.ReplaceAll(tmpl, "| trimTrailingWhitespaces}}", "| trimTrailingWhitespaces | wrapFlags}}")
	root.SetUsageTemplate(tmpl)
}

// flagColumn finds where a flag's description starts on a line of
// pflag's list ("  -o, --output FORMAT   text"): after the run of spaces
// that follows the flag.
var flagColumn = regexp.MustCompile(`^( +-[^ ].*?   +)[^ ]`)

// wrapFlagLines wraps each line of a list of flags wider than width under
// its description's column.
func wrapFlagLines(s string, width int) string {
	lines := strings.Split(s, "\n")
	var out []string
	for _, l := range lines {
		m := flagColumn.FindStringSubmatch(l)
		if m == nil || cells.Width(l) <= width || width-cells.Width(m[1]) < 20 {
			out = append(out, l)
			continue
		}
		indent := cells.Width(m[1])
		wrapped := render.Wrap(l[len(m[1]):], width-indent)
		out = append(out, m[1]+strings.Join(wrapped, "\n"+strings.Repeat(" ", indent)))
	}
	return strings.Join(out, "\n")
}

// localizeHelp puts cobra's own words into the reader's language: the
// headings of the usage template (Usage:, Flags:, Available Commands:, …),
// the help and version flags and the help command. The commands' own
// Short and Long texts are translated where they are written.
func localizeHelp(root *cobra.Command) {
	if !i18n.IsChinese() {
		return // the template as cobra writes it
	}
	words := strings.NewReplacer(
		"Usage:", i18n.T("Usage:"),
		"Aliases:", i18n.T("Aliases:"),
		"Examples:", i18n.T("Examples:"),
		"Available Commands:", i18n.T("Available Commands:"),
		"Additional Commands:", i18n.T("Additional Commands:"),
		"Global Flags:", i18n.T("Global Flags:"),
		"Flags:", i18n.T("Flags:"),
		"Additional help topics:", i18n.T("Additional help topics:"),
		`Use "{{.CommandPath}} [command] --help" for more information about a command.`,
		i18n.Sprintf("Use \"%s [command] --help\" for more information about a command.", "{{.CommandPath}}"),
	)
	cobra.AddTemplateFunc("flagWords", flagWords)
	tmpl := words.Replace(root.UsageTemplate())
	tmpl = strings.NewReplacer(
		"{{.UseLine}}", "{{.UseLine | flagWords}}",
		"{{.CommandPath}} [command]{{end}}", "{{.CommandPath}} "+i18n.T("[command]")+"{{end}}",
		".FlagUsages | trimTrailingWhitespaces", ".FlagUsages | flagWords | trimTrailingWhitespaces",
	).Replace(tmpl)
	root.SetUsageTemplate(tmpl)
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.InitDefaultHelpFlag()
		if f := c.Flags().Lookup("help"); f != nil {
			f.Usage = i18n.Sprintf("help for %s", c.Name())
		}
		c.InitDefaultVersionFlag()
		if f := c.Flags().Lookup("version"); f != nil && c.Version != "" {
			f.Usage = i18n.Sprintf("version for %s", c.Name())
		}
		switch c.Name() {
		case "help":
			c.Short = i18n.T("Help about any command")
			c.Long = i18n.T("Help shows the help of any command: opsbook help [command].")
		case "completion":
			if c.Parent() == root {
				c.Short = i18n.T("Generate the autocompletion script for the specified shell")
				c.Long = i18n.Sprintf(completionLong, root.Name())
			}
		case "bash", "fish", "powershell", "zsh":
			if c.Parent() != nil && c.Parent().Name() == "completion" {
				c.Short = i18n.Sprintf("Generate the autocompletion script for %s", c.Name())
				c.Long = completionShellLong(c.Name(), root.Name())
				if f := c.Flags().Lookup("no-descriptions"); f != nil {
					f.Usage = i18n.T("disable completion descriptions")
				}
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// The longer help of cobra's completion commands, as cobra words it in
// English (%[1]s is the program's name); Chinese readers get the catalog's.
const completionLong = `Generate the autocompletion script for %[1]s for the specified shell.
See each sub-command's help for details on how to use the generated script.
`

// The longer help of each shell's completion command, as cobra words it.
const (
	completionBashLong = `Generate the autocompletion script for the bash shell.

This script depends on the 'bash-completion' package.
If it is not installed already, you can install it via your OS's package manager.

To load completions in your current shell session:

	source <(%[1]s completion bash)

To load completions for every new session, execute once:

#### Linux:

	%[1]s completion bash > /etc/bash_completion.d/%[1]s

#### macOS:

	%[1]s completion bash > $(brew --prefix)/etc/bash_completion.d/%[1]s

You will need to start a new shell for this setup to take effect.
`
	completionZshLong = `Generate the autocompletion script for the zsh shell.

If shell completion is not already enabled in your environment you will need
to enable it.  You can execute the following once:

	echo "autoload -U compinit; compinit" >> ~/.zshrc

To load completions in your current shell session:

	source <(%[1]s completion zsh)

To load completions for every new session, execute once:

#### Linux:

	%[1]s completion zsh > "${fpath[1]}/_%[1]s"

#### macOS:

	%[1]s completion zsh > $(brew --prefix)/share/zsh/site-functions/_%[1]s

You will need to start a new shell for this setup to take effect.
`
	completionFishLong = `Generate the autocompletion script for the fish shell.

To load completions in your current shell session:

	%[1]s completion fish | source

To load completions for every new session, execute once:

	%[1]s completion fish > ~/.config/fish/completions/%[1]s.fish

You will need to start a new shell for this setup to take effect.
`
	completionPowershellLong = `Generate the autocompletion script for powershell.

To load completions in your current shell session:

	%[1]s completion powershell | Out-String | Invoke-Expression

To load completions for every new session, add the output of the above command
to your powershell profile.
`
)

// completionShellLong is the longer help of `opsbook completion SHELL` in
// the reader's language.
func completionShellLong(shell, prog string) string {
	switch shell {
	case "bash":
		return i18n.Sprintf(completionBashLong, prog)
	case "zsh":
		return i18n.Sprintf(completionZshLong, prog)
	case "fish":
		return i18n.Sprintf(completionFishLong, prog)
	case "powershell":
		return i18n.Sprintf(completionPowershellLong, prog)
	}
	return ""
}

// flagDefault is pflag's note of a flag's default at the end of its line.
var flagDefault = regexp.MustCompile(`(?m) \(default (.*)\)$`)

// flagWords puts the words pflag and cobra add to the flags' lines and the
// usage line into the reader's language: "(default 10s)" and "[flags]".
func flagWords(s string) string {
	s = flagDefault.ReplaceAllStringFunc(s, func(m string) string {
		return i18n.Sprintf(" (default %s)", flagDefault.FindStringSubmatch(m)[1])
	})
	if rest, ok := strings.CutSuffix(s, " [flags]"); ok {
		s = rest + " " + i18n.T("[flags]")
	}
	return s
}

// wrapLong wraps a command's longer help (the paragraphs above its usage),
// written at 80 columns, to a terminal of width cells (0: not a terminal,
// as it is written). A paragraph, lines that start at the margin, is
// joined into one and broken again at the width: English between words
// only (a word of letters, flags, paths and quotes, `--where`, `FIELD=VALUE`,
// is never cut unless it alone is wider than the line), Chinese between
// any two characters, each two cells wide, a closing mark (，。）、) never
// starting a line. An indented line is kept as it is (an example to copy, a
// table), but for an item of a list with its text in a column ("  3   refused
// by the rules ...", its continuations under that column), which is joined
// and wrapped under its column.
func wrapLong(s string, width int) string {
	if width <= 0 || s == "" {
		return s
	}
	lines := strings.Split(s, "\n")
	var out []string
	for i := 0; i < len(lines); {
		l := lines[i]
		switch {
		case strings.TrimSpace(l) == "":
			out = append(out, l)
			i++
		case l[0] != ' ' && l[0] != '\t':
			para := l
			for i++; i < len(lines) && lines[i] != "" && lines[i][0] != ' ' && lines[i][0] != '\t'; i++ {
				para = joinLines(para, lines[i])
			}
			out = append(out, wrapProse(para, width)...)
		default:
			hang, ok := itemHang(l)
			start := i
			i++
			if !ok {
				out = append(out, l)
				continue
			}
			label, text := l[:hang], l[hang:]
			under := strings.Repeat(" ", hang)
			for ; i < len(lines) && strings.HasPrefix(lines[i], under) && len(lines[i]) > hang && lines[i][hang] != ' '; i++ {
				text = joinLines(text, lines[i][hang:])
			}
			if width-cells.Width(label) < 20 {
				// no room for the column: the item as written
				out = append(out, lines[start:i]...)
				continue
			}
			for j, w := range wrapProse(text, width-cells.Width(label)) {
				if j == 0 {
					out = append(out, label+w)
				} else {
					out = append(out, under+w)
				}
			}
		}
	}
	return strings.Join(out, "\n")
}

// itemHang is where the text of an item of a list starts, when l is one:
// after its number or bullet ("  1. 指派給你", "  - a"), or after the last
// gap of two spaces or more between its columns ("  3   refused",
// "  complaint  age                duration  the time since received_at").
func itemHang(l string) (int, bool) {
	if m := numbered.FindStringSubmatch(l); m != nil {
		return len(m[1]), true
	}
	indent := len(l) - len(strings.TrimLeft(l, " "))
	if indent == 0 {
		return 0, false
	}
	at := strings.LastIndex(l, "  ")
	if at <= indent {
		return 0, false
	}
	return at + 2, true
}

var numbered = regexp.MustCompile(`^( +(?:\d+[.)]|[-*•]) )\S`)

// joinLines joins two lines of a paragraph: with a space, as the line break
// stood for one, but between two Chinese characters or beside a Chinese
// punctuation mark, where Chinese puts none (a word of letters beside a
// Chinese character keeps its space: 透過 move 與 renumber 改變).
func joinLines(a, b string) string {
	a, b = strings.TrimRight(a, " "), strings.TrimLeft(b, " ")
	last, _ := utf8.DecodeLastRuneInString(a)
	first, _ := utf8.DecodeRuneInString(b)
	if a == "" || b == "" {
		return a + b
	}
	if cjkMark(last) || cjkMark(first) || (cells.RuneWidth(last) == 2 && cells.RuneWidth(first) == 2) {
		return a + b
	}
	return a + " " + b
}

// cjkMark reports whether r is a Chinese punctuation mark (full width), by
// which no space goes.
func cjkMark(r rune) bool {
	return strings.ContainsRune("，。、；：！？（）「」『』【】《》〈〉…—", r)
}

// wrapProse breaks a paragraph into lines of at most width cells: at a
// space, or between two Chinese characters (or a Chinese character and a
// word of letters beside it); a run of characters that are not spaces and
// not Chinese (a word, a flag, a path, `opsbook renumber`) is never cut
// unless it alone is wider than a line; a Chinese closing mark stays with
// what it closes and an opening one with what it opens.
func wrapProse(s string, width int) []string {
	if cells.Width(s) <= width {
		return []string{s}
	}
	var units []string // words, single spaces, Chinese characters with their marks
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == ' ':
			units = append(units, " ")
			for i < len(s) && s[i] == ' ' {
				i++
			}
			continue
		case cells.RuneWidth(r) == 2:
			units = append(units, s[i:i+size])
			i += size
		default:
			j := i
			for j < len(s) {
				r, n := utf8.DecodeRuneInString(s[j:])
				if r == ' ' || cells.RuneWidth(r) == 2 {
					break
				}
				j += n
			}
			units = append(units, s[i:j])
			i = j
		}
	}
	// glue marks: a closing one to the unit before it, an opening one to
	// the unit after it
	var glued []string
	open := ""
	for _, u := range units {
		r, _ := utf8.DecodeRuneInString(u)
		switch {
		case utf8.RuneCountInString(u) == 1 && strings.ContainsRune("（「『【《〈", r):
			open += u
		case open == "" && len(glued) > 0 && glued[len(glued)-1] != " " && utf8.RuneCountInString(u) == 1 && strings.ContainsRune("，。、；：！？）」』】》〉", r):
			glued[len(glued)-1] += u
		default:
			glued = append(glued, open+u)
			open = ""
		}
	}
	if open != "" {
		glued = append(glued, open)
	}
	var lines []string
	var line strings.Builder
	w := 0
	for _, u := range glued {
		uw := cells.Width(u)
		if u == " " {
			if w > 0 && w < width {
				line.WriteString(u)
				w++
			}
			continue
		}
		if w+uw > width && w > 0 {
			lines = append(lines, strings.TrimRight(line.String(), " "))
			line.Reset()
			w = 0
		}
		line.WriteString(u)
		w += uw
	}
	if line.Len() > 0 {
		lines = append(lines, strings.TrimRight(line.String(), " "))
	}
	return lines
}
