package gitstore

import (
	"bufio"
	"compress/zlib"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/opsbook/opsbook/pkg/i18n"
)

// looseLevel is the zlib level git writes loose objects at:
// core.looseCompression, else core.compression, else 1 (zlib's best
// speed), git's own default for loose objects. go-git, which wrote
// opsbook's objects before, compresses at zlib's default (6): the 1.3 MB
// tree of a folder of 27,000 records took 23 ms to compress that way, 12
// at 1, for a file 3% larger (the hashes in a tree do not compress). Any
// level is a zlib stream every git reads; `git gc` packs the objects
// again at the pack's own level.
func looseLevel(cfg *gitConfig) (int, error) {
	for _, key := range []string{"core.loosecompression", "core.compression"} {
		v, ok := cfg.get(key)
		if !ok {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < -1 || n > 9 {
			return 0, i18n.Errorf("git config %s: bad zlib compression level %q", key, v)
		}
		return n, nil
	}
	return zlib.BestSpeed, nil
}

// objectTempPrefix names the temporary file of a loose object opsbook
// writes (git's own are tmp_obj_XXXXXX).
const objectTempPrefix = "tmp_obj_opsbook_"

// writeObject stores data as a loose object of type typ, at zlib level
// level, unless the repository holds the object already; stored says
// whether it wrote one. Like git, it writes a temporary file in the
// object's folder and renames it into place, read-only; making it
// durable is syncObjects' work.
func (r *Repo) writeObject(typ plumbing.ObjectType, data []byte, level int) (h plumbing.Hash, stored bool, err error) {
	h = objectHash(typ, data)
	if r.hasObject(h) {
		return h, false, nil
	}
	hex := h.String()
	dir := filepath.Join(r.commonDir, "objects", hex[:2])
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return h, false, i18n.Errorf("storing %s %s: %w", typ, hex, err)
	}
	// tmp_obj_ as git's own (git prune removes them too), with opsbook's
	// name after it: a write killed here leaves one, which doctor removes
	// (GitTemps); one of git's may belong to a git still running.
	f, err := os.CreateTemp(dir, objectTempPrefix)
	if err != nil {
		return h, false, i18n.Errorf("storing %s %s: %w", typ, hex, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 64<<10)
	if r.zw == nil || r.zlevel != level {
		if r.zw, err = zlib.NewWriterLevel(bw, level); err != nil {
			return h, false, i18n.Errorf("storing %s %s: %w", typ, hex, err)
		}
		r.zlevel = level
	} else {
		r.zw.Reset(bw)
	}
	head := append(append(typ.Bytes(), ' '), strconv.Itoa(len(data))...)
	if _, err = r.zw.Write(append(head, 0)); err == nil {
		_, err = r.zw.Write(data)
	}
	if err == nil {
		err = r.zw.Close()
	}
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Chmod(0o444)
	}
	if err == nil {
		err = f.Close()
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, hex[2:]))
	}
	if err != nil {
		return h, false, i18n.Errorf("storing %s %s: %w", typ, hex, err)
	}
	return h, true, nil
}
