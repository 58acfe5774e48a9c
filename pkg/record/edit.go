package record

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/opsbook/opsbook/pkg/i18n"
	"go.yaml.in/yaml/v3"
)

// Editor changes a record's YAML node tree and writes it back, keeping
// comments. When every change replaces a one-line scalar, the original text
// is spliced, so layout (blank lines, quoting elsewhere) is kept to the byte;
// otherwise the tree is re-encoded with two-space indentation. A file whose
// first line ends in CRLF (saved on Windows) is written back with CRLF line
// ends, and a byte order mark is kept, so a change is the only line of the
// diff either way.
type Editor struct {
	src     []byte
	doc     *yaml.Node
	root    *yaml.Node
	splices []splice
	reshape bool
	crlf    bool // the source's lines end in CRLF
	bom     bool // the source starts with a byte order mark
}

type splice struct {
	line, col int // 1-based start of the old scalar
	oldLen    int // bytes of the old scalar's text on its line
	text      string
}

// NewEditor parses src for editing. The text must already be a valid record
// (Parse it first for diagnostics).
func NewEditor(src []byte) (*Editor, error) {
	hadBOM := bytes.HasPrefix(src, bom)
	src = bytes.TrimPrefix(src, bom)
	// The YAML library attaches a comment followed by CRLF differently
	// (a blank line appears under it when re-encoded): it reads LF only.
	crlf := false
	if i := bytes.IndexByte(src, '\n'); i > 0 && src[i-1] == '\r' {
		crlf = true
		src = bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, i18n.Errorf("not a mapping of fields")
	}
	return &Editor{src: src, doc: &doc, root: doc.Content[0], crlf: crlf, bom: hadBOM}, nil
}

// ScalarNode builds the node for a value typed on the command line: numbers,
// true/false and dates stay plain; text in quotes is taken as quoted; a value
// starting with [ or { is a YAML flow list or mapping; anything else is text.
func ScalarNode(value string) (*yaml.Node, error) {
	v := strings.TrimSpace(value)
	switch {
	case v == "":
		return nil, i18n.Errorf("empty value: to remove a field use --unset")
	case strings.HasPrefix(v, "[") || strings.HasPrefix(v, "{") || strings.HasPrefix(v, `"`) || strings.HasPrefix(v, "'"):
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(v), &doc); err != nil || len(doc.Content) == 0 {
			return nil, i18n.Errorf("%s is not a valid YAML value", value)
		}
		n := doc.Content[0]
		clearPositions(n)
		return n, nil
	case plainNumberRE.MatchString(v):
		return &yaml.Node{Kind: yaml.ScalarNode, Value: v}, nil
	case v == "true" || v == "false":
		return &yaml.Node{Kind: yaml.ScalarNode, Value: v}, nil
	case dateRE.MatchString(v):
		return &yaml.Node{Kind: yaml.ScalarNode, Value: v}, nil
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value}, nil
}

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$`)

func clearPositions(n *yaml.Node) {
	n.Line, n.Column = 0, 0
	for _, c := range n.Content {
		clearPositions(c)
	}
}

// Set puts node at a dotted path, creating mappings on the way. A numeric
// part indexes a list; with appendTo the node is appended to the list at
// path (created if absent).
func (e *Editor) Set(path string, node *yaml.Node, appendTo bool) error {
	parts := strings.Split(path, ".")
	parent := e.root
	for i, part := range parts[:len(parts)-1] {
		next := child(parent, part)
		if next == nil {
			if parent.Kind != yaml.MappingNode {
				return noItem(strings.Join(parts[:i+1], "."), strings.Join(parts[:i], "."), parent)
			}
			next = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			if _, err := strconv.Atoi(parts[i+1]); err == nil {
				next = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
			}
			parent.Content = append(parent.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: part}, next)
			e.reshape = true
		}
		parent = next
	}
	last := parts[len(parts)-1]
	if appendTo {
		list := child(parent, last)
		if list == nil {
			if parent.Kind != yaml.MappingNode {
				return noItem(path, strings.Join(parts[:len(parts)-1], "."), parent)
			}
			list = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
			parent.Content = append(parent.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: last}, list)
		}
		if list.Kind != yaml.SequenceNode {
			return i18n.Errorf("%s is not a list: += appends to lists", path)
		}
		list.Content = append(list.Content, node)
		e.reshape = true
		return nil
	}
	switch parent.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(parent.Content); i += 2 {
			if parent.Content[i].Value == last {
				e.replace(parent.Content[i+1], node)
				parent.Content[i+1] = node
				return nil
			}
		}
		parent.Content = append(parent.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: last}, node)
		e.reshape = true
	case yaml.SequenceNode:
		i, err := strconv.Atoi(last)
		switch {
		case err != nil:
			return i18n.Errorf("%s: %q is not a list index", path, last)
		case i == len(parent.Content):
			parent.Content = append(parent.Content, node)
			e.reshape = true
		case i < 0 || i > len(parent.Content):
			return i18n.Errorf("%s: index %d is out of range (the list has %s)", path, i, i18n.PluralP(len(parent.Content), "%d item", "%d items", len(parent.Content)))
		default:
			e.replace(parent.Content[i], node)
			parent.Content[i] = node
		}
	default:
		return i18n.Errorf("%s: cannot set a field inside a single value", path)
	}
	return nil
}

// replace records a splice when a one-line scalar replaces a one-line scalar.
func (e *Editor) replace(old, repl *yaml.Node) {
	if old.Kind != yaml.ScalarNode || repl.Kind != yaml.ScalarNode || old.Line == 0 {
		e.reshape = true
		return
	}
	if old.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 || strings.Contains(old.Value, "\n") || strings.Contains(repl.Value, "\n") {
		e.reshape = true
		return
	}
	text, err := scalarText(repl)
	if err != nil {
		e.reshape = true
		return
	}
	oldText, ok := e.scalarSource(old)
	if !ok {
		e.reshape = true
		return
	}
	repl.HeadComment, repl.LineComment, repl.FootComment = old.HeadComment, old.LineComment, old.FootComment
	e.splices = append(e.splices, splice{line: old.Line, col: old.Column, oldLen: len(oldText), text: text})
}

// scalarSource finds the exact source text of a one-line scalar.
func (e *Editor) scalarSource(n *yaml.Node) (string, bool) {
	lines := bytes.Split(e.src, []byte("\n"))
	if n.Line-1 >= len(lines) {
		return "", false
	}
	line := string(lines[n.Line-1])
	runes := []rune(line)
	if n.Column-1 > len(runes) {
		return "", false
	}
	rest := string(runes[n.Column-1:])
	var want string
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0, n.Style&yaml.SingleQuotedStyle != 0:
		q := rest[0]
		end := 1
		for end < len(rest) {
			if rest[end] == q {
				if q == '\'' && end+1 < len(rest) && rest[end+1] == '\'' {
					end += 2
					continue
				}
				break
			}
			if q == '"' && rest[end] == '\\' {
				end++
			}
			end++
		}
		if end >= len(rest) {
			return "", false
		}
		want = rest[:end+1]
	default:
		if !strings.HasPrefix(rest, n.Value) {
			return "", false
		}
		want = n.Value
	}
	return want, true
}

func scalarText(n *yaml.Node) (string, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	if err := enc.Encode(n); err != nil {
		return "", err
	}
	enc.Close()
	s := strings.TrimSuffix(b.String(), "\n")
	if strings.Contains(s, "\n") {
		return "", fmt.Errorf("multi-line")
	}
	return s, nil
}

// Unset removes the field at path; it is not an error when it is absent.
func (e *Editor) Unset(path string) error {
	parts := strings.Split(path, ".")
	parent := NodeAt(e.root, parts[:len(parts)-1])
	if parent == nil {
		return nil
	}
	last := parts[len(parts)-1]
	switch parent.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(parent.Content); i += 2 {
			if parent.Content[i].Value == last {
				parent.Content = append(parent.Content[:i], parent.Content[i+2:]...)
				e.reshape = true
				return nil
			}
		}
	case yaml.SequenceNode:
		i, err := strconv.Atoi(last)
		if err != nil || i < 0 || i >= len(parent.Content) {
			return noItem(path, strings.TrimSuffix(strings.TrimSuffix(path, last), "."), parent)
		}
		parent.Content = append(parent.Content[:i], parent.Content[i+1:]...)
		e.reshape = true
	}
	return nil
}

// Get returns the node at a dotted path.
func (e *Editor) Get(path string) *yaml.Node { return NodeAt(e.root, strings.Split(path, ".")) }

// Bytes returns the edited text.
func (e *Editor) Bytes() ([]byte, error) {
	out, err := e.text()
	if err != nil {
		return nil, err
	}
	if e.crlf {
		out = bytes.ReplaceAll(out, []byte("\n"), []byte("\r\n"))
	}
	if e.bom {
		out = append(append([]byte{}, bom...), out...)
	}
	return out, nil
}

// text is the edited text with LF line ends and no byte order mark.
func (e *Editor) text() ([]byte, error) {
	if !e.reshape {
		return e.spliced(), nil
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(e.doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func (e *Editor) spliced() []byte {
	lines := strings.SplitAfter(string(e.src), "\n")
	for _, s := range e.splices {
		l := lines[s.line-1]
		runes := []rune(l)
		prefix := string(runes[:s.col-1])
		rest := l[len(prefix):]
		lines[s.line-1] = prefix + s.text + rest[s.oldLen:]
	}
	return []byte(strings.Join(lines, ""))
}

func child(n *yaml.Node, part string) *yaml.Node { return NodeAt(n, []string{part}) }

// noItem says that path names no item of a record; when its parent, at
// list, is a list, how many items it holds and how to add one
// (items.5: there are 2 items, items.0 and items.1).
func noItem(path, list string, parent *yaml.Node) error {
	if parent == nil || parent.Kind != yaml.SequenceNode || list == "" {
		return i18n.Errorf("%s: no such item", path)
	}
	switch n := len(parent.Content); n {
	case 0:
		return i18n.Errorf("%s: no such item: %s is empty (%s+=VALUE adds one)", path, list, list)
	case 1:
		return i18n.Errorf("%s: no such item: %s holds 1 item, %s.0 (%s+=VALUE adds one)", path, list, list, list)
	default:
		return i18n.Errorf("%s: no such item: %s holds %d items, %s.0 to %s.%d (%s+=VALUE adds one)", path, list, n, list, list, n-1, list)
	}
}
