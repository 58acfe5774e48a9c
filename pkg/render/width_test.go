package render

import (
	"os"
	"os/exec"
	"testing"

	"github.com/mattn/go-runewidth"
)

// Under a Chinese locale, a bar character is still one cell and a Chinese
// character two: the test runs itself again with LANG=zh_TW.UTF-8, since
// go-runewidth reads the locale when the program starts.
func TestAmbiguousWidthIsNarrowUnderAChineseLocale(t *testing.T) {
	if os.Getenv("RENDER_WIDTH_CHILD") == "1" {
		for s, want := range map[string]int{"█░▏": 3, "…": 1, "·": 1, "—": 1, "已核准": 6} {
			if got := runewidth.StringWidth(s); got != want {
				t.Errorf("width of %q = %d, want %d", s, got, want)
			}
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestAmbiguousWidthIsNarrowUnderAChineseLocale$")
	cmd.Env = append(os.Environ(), "RENDER_WIDTH_CHILD=1", "LANG=zh_TW.UTF-8", "LC_ALL=", "LC_CTYPE=", "RUNEWIDTH_EASTASIAN=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}
