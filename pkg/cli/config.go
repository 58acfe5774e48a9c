package cli

import (
	"fmt"
	"strings"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/spf13/cobra"
)

// configLong is the longer help of config, keyed in the help catalog.
const configLong = `Config shows the policy opsbook applies in this repository: each key, its
value, and its source — the default, a line of .opsbook.yaml, or an
OPSBOOK_* environment variable (e.g. OPSBOOK_APPROVAL_LIMITS_MANAGER).`

func newConfigCmd(g *global) *cobra.Command {
	return &cobra.Command{
		Use:   "config",
		Short: i18n.T("Show the effective policy and where each value comes from"),
		Long:  i18n.T(configLong),
		Example: `  opsbook config
  opsbook config -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := g.format(render.Text, render.JSON, render.YAML, render.CSV, render.Markdown)
			if err != nil {
				return err
			}
			r, err := g.open(cmd.Context())
			if err != nil {
				return err
			}
			t := &render.Table{Headers: render.Headers("KEY", "VALUE", "SOURCE")}
			type entry struct {
				Key    string `json:"key"`
				Value  string `json:"value"`
				Source string `json:"source"`
			}
			var entries []entry
			for _, k := range config.Keys() {
				e := entry{k, r.Policy.Value(k), r.Policy.Sources[k]}
				entries = append(entries, e)
				source := e.Source
				if source == "default" {
					source = i18n.T("default")
				}
				value := e.Value
				if strings.HasPrefix(k, "encrypt.") {
					// its words in the reader's language; -o json keeps the English
					value = r.Policy.EncryptText(strings.TrimPrefix(k, "encrypt."))
				}
				t.Add(e.Key, value, source)
			}
			if err := writeTabular(g, format, t, entries); err != nil {
				return err
			}
			// The policy's own problems: a bad value keeps its default, which
			// the table shows; say why, and fail.
			var bad []diag.Diagnostic
			for _, d := range r.Diags {
				if d.Rule == "policy" {
					bad = append(bad, d)
				}
			}
			for _, d := range bad {
				fmt.Fprintln(g.io.Err, d)
			}
			if errs, _ := diag.Count(bad); errs > 0 {
				return findings
			}
			return nil
		},
	}
}

// writeTabular writes a table in the chosen format; v is the JSON/YAML shape.
func writeTabular(g *global, format render.Format, t *render.Table, v any) error {
	switch format {
	case render.JSON:
		return render.WriteJSON(g.io.Out, v)
	case render.YAML:
		return render.WriteYAML(g.io.Out, v)
	case render.CSV:
		return render.WriteCSV(g.io.Out, t)
	case render.Markdown:
		return render.WriteMarkdown(g.io.Out, t)
	}
	return render.WriteTableWidth(g.io.Out, t, g.io.OutTTY, g.io.Width)
}
