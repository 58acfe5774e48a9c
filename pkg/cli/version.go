package cli

import (
	"fmt"
	"runtime/debug"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/spf13/cobra"
)

// buildInfo is what the binary knows of itself: the module version and the
// commit it was built from, read from the Go toolchain's build information
// (`go install module@version` stamps the version; a build in a checkout
// stamps the commit). readBuildInfo is replaced in tests.
type buildInfo struct {
	Module   string `json:"module"`
	Version  string `json:"version"`
	Commit   string `json:"commit,omitempty"`
	Time     string `json:"time,omitempty"`
	Modified bool   `json:"modified,omitempty"`
	Go       string `json:"go"`
}

var readBuildInfo = debug.ReadBuildInfo

func currentBuild() buildInfo {
	b := buildInfo{Version: "unknown"}
	info, ok := readBuildInfo()
	if !ok {
		return b
	}
	b.Module, b.Go = info.Main.Path, info.GoVersion
	if v := info.Main.Version; v != "" {
		b.Version = v
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// String is the one-line form `opsbook version` and `--version` print.
func (b buildInfo) String() string {
	s := "opsbook " + b.Version
	if b.Commit != "" {
		c := b.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		s += fmt.Sprintf(msgVersionCommit, c)
		if b.Time != "" {
			s += " " + b.Time
		}
		if b.Modified {
			s += msgVersionModified
		}
		s += ")"
	}
	if b.Go != "" {
		s += ", " + b.Go
	}
	return s
}

func newVersionCmd(g *global) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: i18n.T("Print opsbook's version and the commit it was built from"),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := g.format(render.Text, render.JSON, render.YAML)
			if err != nil {
				return err
			}
			b := currentBuild()
			switch format {
			case render.JSON:
				return render.WriteJSON(g.io.Out, b)
			case render.YAML:
				return render.WriteYAML(g.io.Out, b)
			}
			fmt.Fprintln(g.io.Out, b)
			return nil
		},
	}
}
