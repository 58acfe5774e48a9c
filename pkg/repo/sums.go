package repo

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/opsbook/opsbook/pkg/attach"
	"github.com/opsbook/opsbook/pkg/cache"
)

// The attachments' SHA-256, kept between full passes of validate beside
// the parse cache (.git/opsbook/sums), as the parse cache keeps records:
// by path and stat data (size, modification and change time, inode). A
// kept sum is used only while the file's stat data are the ones it was
// made with, and only when they were trusted then (taken more than
// cache.RacyWindow after the file's last change: a file changed within
// the same tick cannot be told from its old self): any change to a file,
// even one that puts its size and modification time back, changes its
// change time, and the file is hashed again (where the system gives no change
// time, no sum is kept). Without it every validate
// read and hashed every attachment again: 108,000 files and 4 s of a
// warm validate of the generated department of 100,000 records.
//
// The file: a line "opsbook sums KEY" (KEY names this build and format),
// a line "SHA256 SIZE MTIME CTIME INODE PATH" a file, and a last line
// "crc HEX", the CRC-32 (IEEE) of everything before it. A file that does
// not read so is ignored and written again.

// sumFile sums a file a look found (attach.SumOf); a variable for tests.
var sumFile = attach.SumOf

type keptSum struct {
	st  cache.Stat
	sum string
}

// sumMemo is the kept sums of one full pass: those read from the file,
// and those the pass used or made (trusted ones only), to be written.
type sumMemo struct {
	path  string
	start time.Time
	kept  map[string]keptSum
	mu    sync.Mutex
	now   map[string]keptSum
	fresh int // sums made this pass and kept
}

var sumsKey = cache.NewKey("sums", nil, nil)

// openSums reads the kept sums at path (none when it does not read).
func openSums(path string, start time.Time) *sumMemo {
	m := &sumMemo{path: path, start: start, kept: map[string]keptSum{}, now: map[string]keptSum{}}
	data, err := cache.ReadFile(path)
	if err != nil {
		return m
	}
	kept, ok := decodeSums(data)
	if ok {
		m.kept = kept
	}
	return m
}

func decodeSums(data []byte) (map[string]keptSum, bool) {
	i := bytes.LastIndex(data, []byte("crc "))
	if i < 0 || !bytes.HasSuffix(data, []byte("\n")) {
		return nil, false
	}
	body := data[:i]
	sum, err := strconv.ParseUint(strings.TrimSpace(string(data[i+4:])), 16, 32)
	if err != nil || uint32(sum) != crc32.ChecksumIEEE(body) {
		return nil, false
	}
	lines := strings.Split(string(body), "\n")
	if len(lines) < 2 || lines[0] != fmt.Sprintf("opsbook sums %x", sumsKey) || lines[len(lines)-1] != "" {
		return nil, false
	}
	out := make(map[string]keptSum, len(lines)-2)
	for _, l := range lines[1 : len(lines)-1] {
		f := strings.SplitN(l, " ", 6)
		if len(f) != 6 || len(f[0]) != 64 {
			return nil, false
		}
		var st cache.Stat
		var errs [4]error
		st.Size, errs[0] = strconv.ParseInt(f[1], 10, 64)
		st.Mtime, errs[1] = strconv.ParseInt(f[2], 10, 64)
		st.Ctime, errs[2] = strconv.ParseInt(f[3], 10, 64)
		st.Ino, errs[3] = strconv.ParseUint(f[4], 10, 64)
		for _, err := range errs {
			if err != nil {
				return nil, false
			}
		}
		out[f[5]] = keptSum{st, f[0]}
	}
	return out, true
}

// sum is the SHA-256 of the file at rel a look found Regular as st: the
// kept one while st is the one it was made with, else the file's, kept
// for the next pass when st is trusted.
//
// Stat data without a change time (a system that gives none) never vouch
// for a file: its content may change while its size and modification time
// are put back.
func (m *sumMemo) sum(rel string, st cache.Stat, look func() (string, error)) (string, error) {
	if st.Ctime == 0 {
		return look()
	}
	if k, ok := m.kept[rel]; ok && k.st == st {
		m.mu.Lock()
		m.now[rel] = k
		m.mu.Unlock()
		return k.sum, nil
	}
	sum, err := look()
	if err == nil && cache.Trust(st, m.start) {
		m.mu.Lock()
		m.now[rel] = keptSum{st, sum}
		m.fresh++
		m.mu.Unlock()
	}
	return sum, err
}

// save writes the sums the pass used or made, when they are not the ones
// read (a file that cannot be written costs the next pass time only).
func (m *sumMemo) save() {
	if m.fresh == 0 && len(m.now) == len(m.kept) {
		return
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "opsbook sums %x\n", sumsKey)
	for rel, k := range m.now {
		if strings.ContainsAny(rel, "\n") {
			continue
		}
		fmt.Fprintf(&b, "%s %d %d %d %d %s\n", k.sum, k.st.Size, k.st.Mtime, k.st.Ctime, k.st.Ino, rel)
	}
	fmt.Fprintf(&b, "crc %08x\n", crc32.ChecksumIEEE(b.Bytes()))
	_ = cache.WriteFile(m.path, ".sums-*", b.Bytes())
}
