package change

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/inbox"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/repo"
	"github.com/opsbook/opsbook/pkg/rules"
)

// The inbox judged on the department's index after a refresh over
// changed files (entries parsed again, removed, added: the index's
// tables and what the refresh put over them) is the inbox judged on an
// index made of the records, for every person.
func TestInboxOnARefreshedIndex(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a department of hundreds of records")
	}
	ctx := context.Background()
	dir := sampleDept(t, 400)
	if _, err := repo.OpenIndexed(ctx, dir); err != nil { // the index stored
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 26, 15, 0, 0, 0, time.FixedZone("CST", 8*3600))
	rng := rand.New(rand.NewPCG(3, 4))
	var files []string
	filepath.WalkDir(filepath.Join(dir, "records"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yaml") && !strings.Contains(p, "/people/") && !strings.Contains(p, "/budgets/") {
			files = append(files, p)
		}
		return nil
	})
	ref := regexp.MustCompile(`\b(PRJ|PLN|CUS|EXP|CMP)-(\d{4})-(\d{4,5})\b`)
	states := []string{"draft", "submitted", "approved", "rejected", "paid", "active", "closed", "open", "resolved", "acknowledged"}
	for round := range 5 {
		for range 25 {
			p := files[rng.IntN(len(files))]
			data, err := os.ReadFile(p)
			if err != nil {
				continue // removed in an earlier round
			}
			s := string(data)
			switch rng.IntN(5) {
			case 0:
				s = regexp.MustCompile(`(?m)^status: \S+`).ReplaceAllString(s, "status: "+states[rng.IntN(len(states))])
			case 1:
				lines := strings.Split(s, "\n")
				for i, l := range lines {
					if strings.HasPrefix(l, "id:") {
						continue
					}
					lines[i] = ref.ReplaceAllStringFunc(l, func(id string) string {
						if rng.IntN(3) == 0 {
							return strings.TrimSuffix(filepath.Base(files[rng.IntN(len(files))]), ".yaml")
						}
						return id
					})
				}
				s = strings.Join(lines, "\n")
			case 2:
				os.Remove(p)
				continue
			case 3: // a copy under an id of its own
				id := strings.TrimSuffix(filepath.Base(p), ".yaml")
				nid := id[:len(id)-1] + "9"
				if _, err := os.Stat(filepath.Join(filepath.Dir(p), nid+".yaml")); err == nil {
					continue
				}
				os.WriteFile(filepath.Join(filepath.Dir(p), nid+".yaml"), []byte(strings.Replace(s, "id: "+id, "id: "+nid, 1)), 0o644)
				continue
			default:
				s += "# noted\n"
			}
			os.WriteFile(p, []byte(s), 0o644)
		}
		d, err := repo.OpenIndexed(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		r, g := loadGit(t, dir)
		fp, ok := r.Fingerprint()
		if dfp, dok := d.Fingerprint(); !ok || !dok || fp != dfp {
			t.Fatalf("round %d: the load's fingerprint %q (%v), the index's %q (%v)", round, fp, ok, dfp, dok)
		}
		tried := 0
		for _, p := range r.Set.OfKind(record.Person) {
			box := func(s *Session) []byte {
				s.Horizon = &rules.Horizon{}
				b, err := inbox.Build(inbox.Input{Set: r.Set, Policy: r.Policy, Now: now, Person: p.ID, Findings: r.ErrorsOf(now, inbox.Owned(r.Set, p.ID)), Try: s.TryMovesText, Horizon: &rules.Horizon{}})
				if err != nil {
					t.Fatal(err)
				}
				kept, err := b.Keep()
				if err != nil {
					t.Fatal(err)
				}
				return kept
			}
			s := PreviewIndexed(r, g, p, now, nil, d.Index)
			if s.Near() {
				tried++
			}
			indexed := box(s)
			made := box(Preview(r, g, p, now, nil))
			if !bytes.Equal(indexed, made) {
				t.Errorf("round %d, %s: the inbox judged on the refreshed index differs from the one judged on an index of the records:\n%s", round, p.ID, firstDiff(indexed, made))
			}
		}
		t.Logf("round %d: %d of %d inboxes judged near, %d entries", round, tried, len(r.Set.OfKind(record.Person)), len(d.Index.Entries))
		if tried == 0 {
			t.Errorf("round %d: no inbox judged near", round)
		}
	}
}
