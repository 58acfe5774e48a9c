package gen

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"time"
)

// step is one commit of the history: a record's event.
type step struct {
	r     *rec
	stage int
}

// plan chooses the records whose lives the history replays: the most
// recently created expenses and complaints whose every actor is still
// active (an inactive actor may change nothing), as many as fill commits-1
// commits after the import commit.
func (g *gen) plan(commits int) []step {
	var cands []*rec
	for _, l := range [][]*rec{g.expenses, g.complaints} {
		for _, r := range l {
			ok := true
			for _, e := range r.events {
				if !e.actor.left.IsZero() {
					ok = false
					break
				}
			}
			if ok {
				cands = append(cands, r)
			}
		}
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if !cands[i].at.Equal(cands[j].at) {
			return cands[i].at.After(cands[j].at)
		}
		return cands[i].id > cands[j].id
	})
	left := commits - 1
	var steps []step
	for _, r := range cands {
		if left == 0 {
			break
		}
		if len(r.events) > left {
			continue
		}
		for i := range r.events {
			steps = append(steps, step{r, i})
		}
		left -= len(r.events)
	}
	sort.SliceStable(steps, func(i, j int) bool {
		a, b := steps[i], steps[j]
		ta, tb := a.r.events[a.stage].at, b.r.events[b.stage].at
		if !ta.Equal(tb) {
			return ta.Before(tb)
		}
		if a.r.id != b.r.id {
			return a.r.id < b.r.id
		}
		return a.stage < b.stage
	})
	return steps
}

// history makes dir a git repository whose history has the import of
// everything not replayed, then one commit per event of the replayed
// records, through `git fast-import`. The work tree written before is the
// final state, so the repository ends clean.
func (g *gen) history(ctx context.Context, dir string, commits int) (int, int, error) {
	steps := g.plan(commits)
	inHistory := map[*rec]bool{}
	for _, s := range steps {
		inHistory[s.r] = true
	}
	err := fastImport(ctx, dir, func(w io.Writer) error { return g.stream(w, steps, inHistory) })
	if err != nil {
		return 0, 0, err
	}
	// Fill the index from HEAD and the files written, so status is clean.
	if err := run(ctx, dir, nil, "git", "reset", "-q"); err != nil {
		return 0, 0, err
	}
	return len(steps) + 1, len(inHistory), nil
}

func (g *gen) stream(w io.Writer, steps []step, inHistory map[*rec]bool) error {
	first := g.until
	if len(steps) > 0 {
		first = steps[0].r.events[0].at.Add(-time.Hour)
	}
	// The import: people, policy, budgets and every record not replayed,
	// with their attachments, committed by the director.
	var files []file
	files = append(files, file{".opsbook.yaml", []byte(Policy)})
	for _, r := range g.all() {
		if inHistory[r] {
			continue
		}
		files = append(files, file{r.path(), r.doc.render(r.final(), r.status())})
		files = append(files, r.files...)
	}
	msg := "import the department's records\n\nRecords created before this commit were imported; verify from here on\n(opsbook verify IMPORT..HEAD).\n"
	if err := commit(w, g.director, first, msg, files); err != nil {
		return err
	}
	for _, s := range steps {
		r, e := s.r, s.r.events[s.stage]
		files := []file{{r.path(), r.doc.render(s.stage, r.states[s.stage])}}
		if s.stage == 0 {
			files = append(files, r.files...)
		}
		msg := fmt.Sprintf("%s %s: %s\n\nOpsbook-Record: %s\nOpsbook-Action: %s\n", r.kind, r.id, e.verb, r.id, e.verb)
		if err := commit(w, e.actor, e.at, msg, files); err != nil {
			return err
		}
	}
	return nil
}

// fastImport makes dir a git repository on branch main holding the
// commits stream writes, through `git fast-import`.
func fastImport(ctx context.Context, dir string, stream func(w io.Writer) error) error {
	if err := run(ctx, dir, nil, "git", "init", "-q", "-b", "main"); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "git", "fast-import", "--quiet", "--done")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	w := bufio.NewWriterSize(in, 4<<20)
	werr := stream(w)
	if werr == nil {
		_, werr = w.WriteString("done\n")
	}
	if werr == nil {
		werr = w.Flush()
	}
	in.Close()
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("git fast-import: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return werr
}

func commit(w io.Writer, who *person, at time.Time, msg string, files []file) error {
	b := bufio.NewWriter(w)
	ident := fmt.Sprintf("%s <%s> %d +0800", who.name, who.emails[0], at.Unix())
	fmt.Fprintf(b, "commit refs/heads/main\nauthor %s\ncommitter %s\ndata %d\n%s", ident, ident, len(msg), msg)
	for _, f := range files {
		fmt.Fprintf(b, "M 100644 inline %s\ndata %d\n", quotePath(f.path), len(f.data))
		b.Write(f.data)
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	return b.Flush()
}

func quotePath(p string) string {
	if strings.ContainsAny(p, "\" \n\\") {
		return strconv.Quote(p)
	}
	return p
}

func run(ctx context.Context, dir string, stdin io.Reader, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Stdin = stdin
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}
