package gitobj

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/opsbook/opsbook/pkg/i18n"
)

// offsetIndex finds an object's offset in its pack: go-git's decoded
// index (idxfile.MemoryIndex), or a pack index file searched in place.
type offsetIndex interface {
	FindOffset(h plumbing.Hash) (int64, error)
}

// PackReader reads objects from a repository's pack files as bytes, for a
// caller that reads a few (a write's trees): each pack's index file is
// searched where it is, by its fan-out table and a binary search, rather
// than decoded whole (4 MB and its checksum at 100,000 objects, about
// 10 ms, with go-git's decoder), and resolved objects are kept up to
// fewObjectsCacheBytes only (see rawPack.at). It does not read loose
// objects.
type PackReader struct {
	raws []*rawPack
	idxs []*fileIndex
}

// fewObjectsCacheBytes is the budget of a PackReader's resolved objects:
// objects up to a quarter of it (256 KiB) are kept; the intermediate
// versions of a large tree's chain of deltas are patched into two buffers
// used in turn.
const fewObjectsCacheBytes = 1 << 20

// OpenPackReader opens the pack files of the repository whose objects
// live in commonDir/objects (pack indexes of version 2; a pack whose
// index is of another version is left out, for the caller's other reader).
func OpenPackReader(commonDir string) (*PackReader, error) {
	dir := filepath.Join(commonDir, "objects", "pack")
	names, err := filepath.Glob(filepath.Join(dir, "pack-*.idx"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	pr := &PackReader{}
	rc := newRawCache(fewObjectsCacheBytes)
	for _, idxPath := range names {
		fi, err := openFileIndex(idxPath)
		if err != nil {
			continue // a version 1 index, or one git is writing or removing
		}
		rp, err := openRawPack(strings.TrimSuffix(idxPath, ".idx")+".pack", fi, rc)
		if err != nil {
			fi.close()
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			pr.Close()
			return nil, err
		}
		pr.raws = append(pr.raws, rp)
		pr.idxs = append(pr.idxs, fi)
	}
	return pr, nil
}

// Read returns an object's type and bytes from the first pack holding it;
// ok is false when none does (or the object is too large to read whole
// here). The bytes may be shared with the reader's cache: not to be
// modified.
func (pr *PackReader) Read(h plumbing.Hash) (plumbing.ObjectType, []byte, bool, error) {
	for _, p := range pr.raws {
		t, b, ok, err := p.get(h, 0)
		if err != nil || ok {
			return t, b, ok, err
		}
	}
	return 0, nil, false, nil
}

// Close closes the pack and index files.
func (pr *PackReader) Close() {
	for _, p := range pr.raws {
		p.close()
	}
	for _, fi := range pr.idxs {
		fi.close()
	}
	pr.raws, pr.idxs = nil, nil
}

// fileIndex is a version 2 pack index file searched in place: the
// fan-out table (read at opening) says which hashes start with a hash's
// first byte, a binary search finds it among them, and its offset
// follows the hashes and their CRCs (or, for a pack over 2 GiB, in the
// table of large offsets after them).
//
// A mapped one (openMappedIndex) is searched in memory: the history's
// reads look up thousands of objects, each a dozen probes, which as reads
// of the file would be a dozen system calls each.
type fileIndex struct {
	f    *os.File
	size int64
	fan  [256]uint32
	data []byte // the file mapped into memory, or nil: read with ReadAt
}

// readAt reads len(b) bytes at off, from the mapping or the file.
func (fi *fileIndex) readAt(b []byte, off int64) error {
	if fi.data == nil {
		_, err := fi.f.ReadAt(b, off)
		return err
	}
	if off < 0 || off+int64(len(b)) > int64(len(fi.data)) {
		return io.ErrUnexpectedEOF
	}
	copy(b, fi.data[off:])
	return nil
}

// openMappedIndex opens a version 2 pack index file mapped into memory
// where the system can (else as openFileIndex). Git never rewrites a pack
// index in place (a repack writes new files and removes the old ones), so
// the pages mapped stay as they were opened. The mapping lasts until the
// fileIndex is unreachable (the workers' copies of the packs share it).
func openMappedIndex(name string) (*fileIndex, error) {
	fi, err := openFileIndex(name)
	if err != nil {
		return nil, err
	}
	fi.data = mapFile(fi.f, fi.size)
	keepMapped(fi, fi.data)
	return fi, nil
}

func openFileIndex(name string) (*fileIndex, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	fi := &fileIndex{f: f}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	fi.size = info.Size()
	head := make([]byte, 8+256*4)
	if _, err := f.ReadAt(head, 0); err != nil || string(head[:4]) != "\xfftOc" || binary.BigEndian.Uint32(head[4:8]) != 2 {
		f.Close()
		return nil, i18n.NewError("not a version 2 pack index")
	}
	for i := range fi.fan {
		fi.fan[i] = binary.BigEndian.Uint32(head[8+4*i:])
		if i > 0 && fi.fan[i] < fi.fan[i-1] {
			f.Close()
			return nil, i18n.NewError("damaged pack index")
		}
	}
	if fi.large() > fi.size {
		f.Close()
		return nil, i18n.NewError("damaged pack index")
	}
	return fi, nil
}

func (fi *fileIndex) close() { fi.f.Close() }

const fileIndexHashes = 8 + 256*4 // where the sorted hashes start

// offsets is where the 4-byte offsets start (after the hashes, 20 bytes
// each, and their CRCs, 4); large where the 8-byte ones do.
func (fi *fileIndex) offsets() int64 { return fileIndexHashes + 24*int64(fi.fan[255]) }
func (fi *fileIndex) large() int64   { return fi.offsets() + 4*int64(fi.fan[255]) }

// FindOffset returns h's offset in the pack, or plumbing.ErrObjectNotFound.
func (fi *fileIndex) FindOffset(h plumbing.Hash) (int64, error) {
	lo, hi := int64(0), int64(fi.fan[h[0]])
	if h[0] > 0 {
		lo = int64(fi.fan[h[0]-1])
	}
	var buf [20]byte
	for lo < hi {
		m := (lo + hi) / 2
		if err := fi.readAt(buf[:], fileIndexHashes+20*m); err != nil {
			return 0, err
		}
		switch c := bytes.Compare(buf[:], h[:]); {
		case c == 0:
			if err := fi.readAt(buf[:4], fi.offsets()+4*m); err != nil {
				return 0, err
			}
			o := binary.BigEndian.Uint32(buf[:4])
			if o&0x80000000 == 0 {
				return int64(o), nil
			}
			k := int64(o &^ 0x80000000)
			if fi.large()+8*k+8 > fi.size {
				return 0, i18n.NewError("damaged pack index: large offset out of range")
			}
			if err := fi.readAt(buf[:8], fi.large()+8*k); err != nil {
				return 0, err
			}
			return int64(binary.BigEndian.Uint64(buf[:8])), nil
		case c < 0:
			lo = m + 1
		default:
			hi = m
		}
	}
	return 0, plumbing.ErrObjectNotFound
}

// PackOffset finds h in the version 2 pack index file idxPath, searched
// in place; ok is false when it is not there or the file cannot be read.
func PackOffset(idxPath string, h plumbing.Hash) (int64, bool) {
	fi, err := openFileIndex(idxPath)
	if err != nil {
		return 0, false
	}
	defer fi.close()
	off, err := fi.FindOffset(h)
	return off, err == nil
}
