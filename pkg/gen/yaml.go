package gen

import (
	"encoding/base64"
	"github.com/opsbook/opsbook/pkg/record"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// doc builds one record's YAML text as an ordered list of top-level fields,
// each tagged with the stage of the record's life it appears at, so the same
// record can be written as it was after each commit of its history.
type doc struct {
	fields []field
}

type field struct {
	text   string // "key: value\n" or a block, ending in a newline
	stage  int
	status bool // the status line, written from the stage's state
}

// add appends a field present from stage on.
func (d *doc) add(stage int, text string) {
	d.fields = append(d.fields, field{text: text, stage: stage})
}

// kv appends a one-line "key: value" field.
func (d *doc) kv(stage int, key, value string) { d.add(stage, key+": "+value+"\n") }

// status marks where the status line goes.
func (d *doc) status() { d.fields = append(d.fields, field{status: true}) }

// render writes the record as it is at stage, in state st.
func (d *doc) render(stage int, st string) []byte {
	var b strings.Builder
	for _, f := range d.fields {
		switch {
		case f.status:
			if st != "" {
				b.WriteString("status: " + st + "\n")
			}
		case f.stage <= stage:
			b.WriteString(f.text)
		}
	}
	return []byte(b.String())
}

// block builds a nested YAML block.
type block struct {
	b strings.Builder
}

func (bl *block) line(indent int, s string) {
	bl.b.WriteString(strings.Repeat(" ", indent))
	bl.b.WriteString(s)
	bl.b.WriteByte('\n')
}

func (bl *block) String() string { return bl.b.String() }

// str writes a text value as a plain scalar when that reads back as the
// same text, else double-quoted.
func str(s string) string {
	if plainSafe(s) {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func plainSafe(s string) bool {
	if s == "" || strings.TrimSpace(s) != s || !utf8.ValidString(s) {
		return false
	}
	if strings.ContainsAny(s, "\n\t\"'\\") || strings.Contains(s, ": ") || strings.Contains(s, " #") || strings.HasSuffix(s, ":") {
		return false
	}
	if strings.ContainsRune("-?:,[]{}#&*!|>%@`~.+0123456789", rune(s[0])) {
		return false
	}
	switch strings.ToLower(s) {
	case "true", "false", "null", "yes", "no", "on", "off", "y", "n":
		return false
	}
	return true
}

// list writes a flow list of handles or words: [a, b, c].
func list(items []string) string {
	return "[" + strings.Join(items, ", ") + "]"
}

// cents is an amount of money in hundredths.
type cents int64

func (c cents) String() string {
	return strconv.FormatInt(int64(c)/100, 10) + "." + twoDigits(int64(c)%100)
}

func twoDigits(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

func date(t time.Time) string    { return t.Format("2006-01-02") }
func instant(t time.Time) string { return t.Format(time.RFC3339) }

// sshKey writes an ed25519 public key in OpenSSH's authorized_keys form.
func sshKey(pub []byte) string {
	var blob []byte
	put := func(b []byte) {
		blob = append(blob, byte(len(b)>>24), byte(len(b)>>16), byte(len(b)>>8), byte(len(b)))
		blob = append(blob, b...)
	}
	put([]byte("ssh-ed25519"))
	put(pub)
	return "ssh-ed25519 " + base64.StdEncoding.EncodeToString(blob)
}

// attachmentDir is where a record's attachments go: by year, then record,
// so that no folder grows past a year's records (git rewrites a folder's
// whole tree object in every commit that touches it).
func attachmentDir(id string) string {
	return "attachments/" + record.IDYear(id) + "/" + id + "/"
}
