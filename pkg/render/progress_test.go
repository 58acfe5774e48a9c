package render

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestProgress(t *testing.T) {
	var b bytes.Buffer
	p := NewProgress(&b, "reading records")
	p.Update(10, 100)
	p.Done()
	if b.Len() != 0 {
		t.Fatalf("a quick step drew %q", b.String())
	}
	p = NewProgress(&b, "reading records")
	p.Delay = 0
	p.Update(45000, 100000)
	if got := b.String(); !strings.Contains(got, "reading records 45,000/100,000 (45%)") || !strings.HasPrefix(got, "\r") {
		t.Fatalf("drew %q", got)
	}
	b.Reset()
	p.Update(46000, 100000) // too soon after the last: skipped
	if b.Len() != 0 {
		t.Fatalf("redrew at once: %q", b.String())
	}
	time.Sleep(60 * time.Millisecond)
	p.Update(100000, 100000)
	p.Done()
	if got := b.String(); !strings.Contains(got, "100,000/100,000") || !strings.HasSuffix(got, "\r\x1b[K") {
		t.Fatalf("drew %q", got)
	}
}
