package cli

import (
	"strings"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/spf13/cobra"
)

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
	root.SetUsageTemplate(words.Replace(root.UsageTemplate()))
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
			}
		case "bash", "fish", "powershell", "zsh":
			if c.Parent() != nil && c.Parent().Name() == "completion" {
				c.Short = i18n.Sprintf("Generate the autocompletion script for %s", c.Name())
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
