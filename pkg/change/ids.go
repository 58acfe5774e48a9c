package change

import (
	"os"
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
	highest := 0
	prefix := record.FormatID(k, year, 0)
	prefix = prefix[:strings.LastIndexByte(prefix, '-')+1]
	for _, id := range ids {
		if strings.HasPrefix(id, prefix) {
			highest = max(highest, record.IDSeq(id))
		}
	}
	dir := filepath.Join(root, filepath.FromSlash(recordsDir), filepath.FromSlash(filepath.Dir(record.RelPath(k, record.FormatID(k, year, 1)))))
	if entries, err := os.ReadDir(dir); err == nil {
		for _, e := range entries {
			id := strings.TrimSuffix(e.Name(), ".yaml")
			if strings.HasPrefix(id, prefix) {
				highest = max(highest, record.IDSeq(id))
			}
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
