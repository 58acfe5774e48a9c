package record

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Positions without the node tree. A diagnostic needs the line and column
// of a field; for a record loaded without its tree, parsing the file again
// with the YAML library costs ten times the file in memory and most of a
// validate run when thousands of records have findings. A file in the
// shape fastValues reads is instead scanned again with positions
// recorded; any other file takes the tree (FuzzFastPos checks that both
// give the same answers).

// nodePos is where one node sits.
type nodePos struct {
	line, col       int // the node itself (0: not met)
	keyLine, keyCol int // its key, when it is a mapping's value (else 0)
	scalar          bool
}

// posRecorder follows the parse down the one path it is asked about
// (want), keeping the position of each node on it: at[d] is the node d
// levels down (at[0] the root). It allocates nothing while it follows.
type posRecorder struct {
	want  []string
	depth int // how many path parts the parse is below the root
	match int // how many of those equal want's first parts
	at    []nodePos
}

func (r *posRecorder) push(part string) {
	if r.match == r.depth && r.depth < len(r.want) && r.want[r.depth] == part {
		r.match++
	}
	r.depth++
}

func (r *posRecorder) pop() {
	if r == nil {
		return
	}
	if r.match == r.depth {
		r.match--
	}
	r.depth--
}

// on reports whether the parse is at a node of the wanted path.
func (r *posRecorder) on() bool { return r.match == r.depth }

func (r *posRecorder) node(line, col int, scalar bool) {
	if r.on() {
		n := &r.at[r.depth]
		n.line, n.col, n.scalar = line, col, scalar
	}
}

func (r *posRecorder) key(line, col int) {
	if r.on() {
		n := &r.at[r.depth]
		n.keyLine, n.keyCol = line, col
	}
}

// flowItems records the elements of a flow list written at column col
// (its '['): each sits where its text starts, counted in characters as the
// YAML library counts columns.
func (r *posRecorder) flowItems(line, col int, s string) {
	if !r.on() || r.depth >= len(r.want) {
		return
	}
	end := strings.IndexByte(s, ']')
	body, off, i := s[1:end], 1, 0
	for body != "" || i == 0 {
		item, rest, more := strings.Cut(body, ",")
		lead := len(item) - len(strings.TrimLeft(item, " "))
		if strings.TrimSpace(item) != "" {
			r.push(strconv.Itoa(i))
			r.node(line, col+utf8.RuneCountInString(s[:off+lead]), true)
			r.pop()
		}
		if !more {
			break
		}
		off += len(item) + 1
		body = rest
		i++
	}
}

// fastPos answers Pos from a scan of src in the shape fastValues reads;
// ok is false for any other file. With skim, src is known to be one
// fastValues read (it made the record's values): the scan follows its
// shape without making or checking any value again, which allocates
// nothing but the path's parts. A cold validate asks a position for every
// finding (80,000 at 100,000 copies of the sample): reading each file's
// values again for it took 3 s of CPU and 280 MB of garbage.
func fastPos(src, path string, skim bool) (line, col int, ok bool) {
	if src == "" || strings.ContainsAny(src, "\t\r") || hasRiskyRune(src) {
		return 0, 0, false
	}
	parts := splitPath(path)
	for _, part := range parts {
		if k, err := strconv.Atoi(part); err == nil && strconv.Itoa(k) != part {
			return 0, 0, false // "01", "+1": an index NodeAt reads, these paths do not
		}
	}
	rec := &posRecorder{want: parts, at: make([]nodePos, len(parts)+1)}
	p := fastParser{src: src, pos: rec, skim: skim}
	lp := p.takeLines()
	defer p.giveLines(lp)
	if !p.split() || len(p.lines) == 0 {
		return 0, 0, false
	}
	first := p.lines[0]
	rec.node(first.no, first.indent+1, false)
	if _, ok := p.mapping(first.indent, 0); !ok || p.i != len(p.lines) {
		return 0, 0, false
	}
	d := 0
	for d < len(parts) && rec.at[d+1].line > 0 {
		d++
	}
	n := rec.at[d]
	if d == len(parts) && d > 0 && n.keyLine > 0 && !n.scalar {
		return n.keyLine, n.keyCol, true
	}
	return n.line, n.col, true
}
