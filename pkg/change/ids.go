package change

import (
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/opsbook/opsbook/pkg/record"
)

// NextID allocates the next id of a kind for a year: the highest existing
// sequence + 1, looking at the department's ids of the kind (ids) and at
// the files in the year's folder (a file that does not parse still holds
// its id).
func NextID(root, recordsDir string, ids []string, k record.Kind, year int) string {
	return nextID(ids, folderNames(root, yearFolder(recordsDir, k, year)), k, year)
}

// folderNames lists the names in the repository-relative folder rel, of
// files and folders alike (nil when it cannot be read).
func folderNames(root, rel string) []string {
	f, err := os.Open(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		return nil
	}
	defer f.Close()
	names, _ := f.Readdirnames(-1)
	return names
}

// yearFolder is the repository-relative folder of a kind's records of a
// year.
func yearFolder(recordsDir string, k record.Kind, year int) string {
	return path.Dir(RecordPath(recordsDir, k, record.FormatID(k, year, 1)))
}

// nextID is NextID on the ids of the kind and the names of the files in
// the year's folder.
func nextID(ids, names []string, k record.Kind, year int) string {
	highest := 0
	prefix := record.FormatID(k, year, 0)
	prefix = prefix[:strings.LastIndexByte(prefix, '-')+1]
	for _, id := range ids {
		if strings.HasPrefix(id, prefix) {
			highest = max(highest, record.IDSeq(id))
		}
	}
	for _, name := range names {
		id := strings.TrimSuffix(name, ".yaml")
		if strings.HasPrefix(id, prefix) {
			highest = max(highest, record.IDSeq(id))
		}
	}
	return record.FormatID(k, year, highest+1)
}

// RecordPath is the repository-relative path of a record.
func RecordPath(recordsDir string, k record.Kind, id string) string {
	return strings.TrimSuffix(filepath.ToSlash(filepath.Clean(recordsDir)), "/") + "/" + record.RelPath(k, id)
}

// yearOf returns the year of a YYYY-MM-DD date, or 0.
func yearOf(date string) int {
	if len(date) < 4 {
		return 0
	}
	y, err := strconv.Atoi(date[:4])
	if err != nil {
		return 0
	}
	return y
}

// noFileAt refuses to put the record id at rel when a file is already
// there that holds no record of that id (broken YAML, an empty file, a
// record of another id): writing the new record would replace it, and
// whatever it held, committed or not, would be lost.
func (s *Session) noFileAt(rel, id string) error {
	info, err := os.Lstat(filepath.Join(s.Repo.Root, filepath.FromSlash(rel)))
	if err != nil {
		return nil
	}
	if info.IsDir() {
		return refused("id-duplicate", "refused: %s is already a folder: move or remove it first; nothing was changed", rel)
	}
	return refused("id-duplicate", "refused: %s is already a file, which holds no record %s: mend or remove it first; nothing was changed", rel, id)
}
