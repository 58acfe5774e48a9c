package render

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/internal/cells"
)

// WriteDiagnostics writes compiler-style lines. With source set (a terminal),
// each is followed by the offending line of the file and a caret under the
// column, read from root.
func WriteDiagnostics(w io.Writer, ds []diag.Diagnostic, root string, source bool, c Colors) error {
	files := map[string][]string{}
	for _, d := range ds {
		sev := c.Red(i18n.Term("severity", string(d.Severity)))
		if d.Severity == diag.Warning {
			sev = c.Yellow(i18n.Term("severity", string(d.Severity)))
		}
		fmt.Fprintf(w, "%s: %s: %s %s\n", c.Bold(fmt.Sprintf("%s:%d:%d", d.Path, d.Line, d.Column)), sev, d.Human(), c.Dim("["+d.Rule+"]"))
		if !source {
			continue
		}
		lines, ok := files[d.Path]
		if !ok {
			if data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(d.Path))); err == nil && len(data) <= 1<<20 {
				lines = strings.Split(string(data), "\n")
			}
			files[d.Path] = lines
		}
		if d.Line-1 < len(lines) && d.Line >= 1 {
			text := strings.TrimRight(lines[d.Line-1], "\r")
			prefix := text
			if r := []rune(text); d.Column-1 <= len(r) {
				prefix = string(r[:d.Column-1])
			}
			fmt.Fprintf(w, "  %s\n  %s%s\n", text, strings.Repeat(" ", cells.Width(prefix)), c.Green("^"))
		}
	}
	return nil
}

// WriteGitHub writes GitHub Actions workflow commands, one per diagnostic.
func WriteGitHub(w io.Writer, ds []diag.Diagnostic) error {
	esc := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	escProp := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
	for _, d := range ds {
		level := "error"
		if d.Severity == diag.Warning {
			level = "warning"
		}
		_, err := fmt.Fprintf(w, "::%s file=%s,line=%d,col=%d,title=%s::%s\n", level, escProp.Replace(d.Path), d.Line, d.Column, escProp.Replace(d.Rule), esc.Replace(d.Human()))
		if err != nil {
			return err
		}
	}
	return nil
}
