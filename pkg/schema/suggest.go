package schema

import "strings"

// Suggest returns the allowed name closest to a misspelt one, when it is
// close enough to be the likely intent.
func Suggest(name string, allowed []string) string {
	best, bestDist := "", 1<<30
	for _, a := range allowed {
		if !ascii(name) && ascii(a) {
			// a word in Chinese is no misspelling of a key: 標題 is two
			// edits from id, and nothing like it
			continue
		}
		d := Distance(strings.ToLower(name), strings.ToLower(a))
		if d < bestDist {
			best, bestDist = a, d
		}
	}
	limit := 2
	if len(name) > 8 {
		limit = 3
	}
	if bestDist <= limit {
		return best
	}
	return ""
}

// Distance is the Damerau–Levenshtein (optimal string alignment) distance.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
