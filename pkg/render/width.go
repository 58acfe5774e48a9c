package render

import "github.com/mattn/go-runewidth"

// Ambiguous-width characters (the bars' █ ░ ▏, …, ·, —) take one cell in
// the terminals opsbook is read in, and tablewriter is told so
// (WithEastAsian off). go-runewidth would count them as two under a
// Chinese, Japanese or Korean locale (LANG=zh_TW.UTF-8), which pads every
// bar and field list wrong for exactly the people who read opsbook in
// Chinese: opsbook measures them as one cell whatever the locale. Wide
// characters (漢字) are two cells either way.
func init() {
	runewidth.EastAsianWidth = false
	runewidth.DefaultCondition.EastAsianWidth = false
}
