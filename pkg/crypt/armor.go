package crypt

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"

	"filippo.io/age/armor"
)

// The armor of an age file, read as filippo.io/age/armor's reader reads
// it, without allocating.
//
// armorScan accepts exactly the text armor.NewReader accepts, when given
// the text with its surrounding white space trimmed and one newline
// after it (as Stanzas always gave it), and refuses the rest with the same
// error at the same place: the BEGIN line (after at most 1 KB of blank
// lines); lines of strict, padded base64, each of 64 columns but the last,
// which is shorter (it may be empty only when the data are a multiple of
// 48 bytes: then the END line follows a full line); a line ending in CRLF
// as in LF, but no other CR; no empty line; the END line; after it nothing
// but white space, and less than 1 KB of it. Its decoding is a line at a
// time into a fixed buffer; check reads the rest of the armor without
// decoding its full lines (any 64 characters of the base64 alphabet are
// a well-formed full line).
type armorScan struct {
	s       string // the armor, trimmed; a newline after it is implied
	pos     int    // the next byte of s+"\n" to read
	started bool
	unread  []byte // of out
	err     error  // io.EOF at the armor's well-formed end, else an armorError
	line    [64]byte
	out     [48]byte
}

const (
	armorColumns  = 64 // a full line of base64
	armorBytes    = armorColumns / 4 * 3
	maxArmorSpace = 1024 // of blank lines before, of white space after
)

var strictBase64 = base64.StdEncoding.Strict()

// notBase64 is 1 for every byte but the 64 characters a full line is
// made of.
var notBase64 = func() (t [256]uint8) {
	for i := range t {
		t[i] = 1
	}
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") {
		t[c] = 0
	}
	return t
}()

// armorError is an error of the armor, worded as armor.Error words it.
type armorError struct{ err error }

func (e armorError) Error() string { return "invalid armor: " + e.err.Error() }

func (a *armorScan) setErr(err error) error {
	if err != io.EOF {
		err = armorError{err}
	}
	a.err = err
	return err
}

// getLine is the next line, without its LF and then one CR.
func (a *armorScan) getLine() (string, error) {
	if a.pos > len(a.s) {
		return "", io.ErrUnexpectedEOF
	}
	line := a.s[a.pos:]
	if i := strings.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
		a.pos += i + 1
	} else {
		a.pos = len(a.s) + 1 // the implied newline
	}
	return strings.TrimSuffix(line, "\r"), nil
}

// drainTrailing judges what follows the END line by its first 1 KB, as
// the armor's reader does.
func (a *armorScan) drainTrailing() error {
	if a.pos > len(a.s) {
		return io.EOF
	}
	rest := a.s[a.pos:] // and the implied newline
	head, n := rest, len(rest)+1
	if n > maxArmorSpace {
		head, n = rest[:maxArmorSpace], maxArmorSpace
	}
	if strings.TrimSpace(head) != "" {
		return errors.New("trailing data after armored file")
	}
	if n == maxArmorSpace {
		return errors.New("too much trailing whitespace")
	}
	return io.EOF
}

// next reads the armor's next line of data and returns its bytes (none
// when decode is false and the line is full); at the END line, or at an
// error, the error, which stays.
func (a *armorScan) next(decode bool) ([]byte, error) {
	if a.err != nil {
		return nil, a.err
	}
	removed := 0
	for !a.started {
		line, err := a.getLine()
		if err != nil {
			return nil, a.setErr(err)
		}
		if strings.TrimSpace(line) == "" {
			removed += len(line) + 1
			if removed > maxArmorSpace {
				return nil, a.setErr(errors.New("too much leading whitespace"))
			}
			continue
		}
		if line != armor.Header {
			return nil, a.setErr(fmt.Errorf("invalid first line: %q", line))
		}
		a.started = true
	}
	line, err := a.getLine()
	if err != nil {
		return nil, a.setErr(err)
	}
	if line == armor.Footer {
		return nil, a.setErr(a.drainTrailing())
	}
	if !decode && fullLine(line) {
		return nil, nil // none of the errors below
	}
	if len(line) == 0 {
		return nil, a.setErr(errors.New("empty line in armored data"))
	}
	if len(line) > armorColumns {
		return nil, a.setErr(errors.New("column limit exceeded"))
	}
	if strings.IndexByte(line, '\n') >= 0 || strings.IndexByte(line, '\r') >= 0 {
		return nil, a.setErr(errors.New("unexpected newline character"))
	}
	n, err := strictBase64.Decode(a.out[:], a.line[:copy(a.line[:], line)])
	if err != nil {
		return nil, a.setErr(err)
	}
	if n < armorBytes {
		line, err := a.getLine()
		if err != nil {
			return nil, a.setErr(err)
		}
		if line != armor.Footer {
			return nil, a.setErr(fmt.Errorf("invalid closing line: %q", line))
		}
		a.setErr(a.drainTrailing())
	}
	return a.out[:n], nil
}

// fullLine is whether line is 64 characters of the base64 alphabet: a
// full line, which decodes to 48 bytes (padded or not, strict or not).
func fullLine[T string | []byte](line T) bool {
	if len(line) != armorColumns {
		return false
	}
	var bad uint8
	for i := range armorColumns {
		bad |= notBase64[line[i]]
	}
	return bad == 0
}

// Read gives the decoded bytes.
func (a *armorScan) Read(p []byte) (int, error) {
	for len(a.unread) == 0 {
		data, err := a.next(true)
		if err != nil {
			return 0, err
		}
		a.unread = data
	}
	n := copy(p, a.unread)
	a.unread = a.unread[n:]
	return n, nil
}

// check reads the rest of the armor, and returns its error, if any.
func (a *armorScan) check() error {
	a.unread = nil
	for a.err == nil {
		a.next(false)
	}
	if a.err == io.EOF {
		return nil
	}
	return a.err
}
