package repo

import "strings"

// insideRepo tells whether an attachment path stays below the root.
func insideRepo(rel string) bool {
	return !strings.HasPrefix(rel, "/") && !strings.Contains("/"+rel+"/", "/../")
}
