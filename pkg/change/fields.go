package change

import (
	"fmt"
	"strings"

	"github.com/opsbook/opsbook/pkg/record"
)

// Assignment is FIELD=VALUE or FIELD+=VALUE from the command line.
type Assignment struct {
	Path   string
	Value  string
	Append bool
}

// ParseAssignment reads "a.b=v" or "list+=v".
func ParseAssignment(s string) (Assignment, error) {
	i := strings.IndexByte(s, '=')
	if i <= 0 {
		return Assignment{}, fmt.Errorf("%q is not FIELD=VALUE (or FIELD+=VALUE to append to a list)", s)
	}
	a := Assignment{Path: s[:i], Value: s[i+1:]}
	if strings.HasSuffix(a.Path, "+") {
		a.Append = true
		a.Path = strings.TrimSuffix(a.Path, "+")
	}
	for _, part := range strings.Split(a.Path, ".") {
		if part == "" {
			return Assignment{}, fmt.Errorf("%q: empty part in field path %q", s, a.Path)
		}
	}
	return a, nil
}

// protected fields are changed only by their own commands.
func protected(path string) string {
	switch strings.SplitN(path, ".", 2)[0] {
	case "status":
		return "status changes only by a workflow move: use `opsbook move ID STATE` or a verb such as `opsbook approve ID`"
	case "kind":
		return "a record's kind cannot change"
	case "id":
		return "ids change only with `opsbook renumber OLD NEW`, which also rewrites the references"
	}
	return ""
}

// ApplyAssignments applies assignments and removals to a record's text.
// allowProtected is for `new`, whose template sets status, kind and id.
func ApplyAssignments(src []byte, sets []Assignment, unsets []string, allowProtected bool) ([]byte, error) {
	ed, err := record.NewEditor(src)
	if err != nil {
		return nil, err
	}
	for _, a := range sets {
		if msg := protected(a.Path); msg != "" && !allowProtected {
			return nil, &Refused{Rule: "protected-field", Reason: fmt.Sprintf("refused: %s: %s", a.Path, msg)}
		}
		n, err := record.ScalarNode(a.Value)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", a.Path, err)
		}
		if err := ed.Set(a.Path, n, a.Append); err != nil {
			return nil, err
		}
	}
	for _, u := range unsets {
		if msg := protected(u); msg != "" {
			return nil, &Refused{Rule: "protected-field", Reason: fmt.Sprintf("refused: %s: %s", u, msg)}
		}
		if err := ed.Unset(u); err != nil {
			return nil, err
		}
	}
	return ed.Bytes()
}
