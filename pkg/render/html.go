package render

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/internal/cells"
)

// WriteHTML writes a page as one self-contained HTML document: inline CSS,
// inline SVG charts, no scripts, no fonts or anything else fetched from
// anywhere. Every text is escaped by html/template.
func WriteHTML(w io.Writer, p *Page, footer string) error {
	v := htmlPage{Lang: i18n.Current().String(), Title: p.Title, Lines: p.Lines, Footer: footer}
	for _, s := range p.Sections {
		v.Sections = append(v.Sections, htmlSectionOf(s))
	}
	return pageTmpl.Execute(w, v)
}

// WriteHTMLFile writes the page to path atomically: into a temporary file in
// the same folder, then renamed over path, so a reader never sees half a
// page and a failure leaves any earlier file intact.
func WriteHTMLFile(path string, p *Page, footer string) error {
	// A page is only ever written to an .html file: a slip of the path must
	// not replace a record or anything else.
	if ext := strings.ToLower(filepath.Ext(path)); ext != ".html" && ext != ".htm" {
		return i18n.Errorf("--html %s: the page is written only to a file ending in .html or .htm", path)
	}
	var buf bytes.Buffer
	if err := WriteHTML(&buf, p, footer); err != nil {
		return err
	}
	return WriteFileAtomic(path, buf.Bytes(), 0o644)
}

// WriteFileAtomic writes data to path through a temporary file and a rename.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if errors.Is(err, fs.ErrNotExist) {
		// not the temporary file's name, which the reader never gave
		return i18n.Errorf("writing %s: there is no folder %s", path, filepath.Clean(dir))
	}
	if err != nil {
		return i18n.Errorf("writing %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, perm)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		return i18n.Errorf("writing %s: %w", path, err)
	}
	return nil
}

type htmlPage struct {
	// Lang is the page's language, as BCP 47 (zh-Hant, en).
	Lang     string
	Title    string
	Lines    []string
	Sections []htmlSection
	Footer   string
}

type htmlSection struct {
	Title   string
	Lines   []string
	Headers []htmlCell
	Rows    []htmlRow
	HasBars bool
	Chart   *htmlChart
	Empty   string
	After   []string
}

type htmlCell struct {
	Text  string
	Right bool
}

type htmlRow struct {
	Cells []htmlCell
	Warn  bool
	Bar   *htmlBar
}

type htmlBar struct {
	Width float64 // of 100
	Over  bool
	Label string
}

type htmlChart struct {
	Title  string
	Pie    bool
	Width  int
	Height int
	Bars   []htmlChartBar
	Slices []htmlSlice
}

type htmlChartBar struct {
	Label     string
	Value     string
	Y         int
	TextY     int
	Width     float64
	Color     string
	LabelEndX int
	BarX      int
	ValueX    float64
}

type htmlSlice struct {
	Path    string
	Color   string
	Label   string
	Value   string
	LegendY int
	SwatchY int
	Full    bool
}

var palette = []string{"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"}

func htmlSectionOf(s Section) htmlSection {
	h := htmlSection{Title: s.Title, Lines: s.Lines, Empty: s.Empty, After: s.After}
	if s.Table != nil {
		for i, hd := range s.Table.Headers {
			h.Headers = append(h.Headers, htmlCell{hd, s.Table.Right[i]})
		}
		h.HasBars = len(s.Bars) == len(s.Table.Rows) && len(s.Bars) > 0
		for i, r := range s.Table.Rows {
			row := htmlRow{Warn: i < len(s.Warn) && s.Warn[i]}
			for j, c := range r {
				row.Cells = append(row.Cells, htmlCell{c, s.Table.Right[j]})
			}
			if h.HasBars {
				v := s.Bars[i]
				row.Bar = &htmlBar{Width: math.Max(0, math.Min(v, 100)), Over: v > 100, Label: trimFloat(v) + "%"}
			}
			h.Rows = append(h.Rows, row)
		}
	}
	if s.Chart != nil && len(s.Chart.Items) > 0 {
		h.Chart = chartOf(s.Chart)
	}
	return h
}

func chartOf(c *Chart) *htmlChart {
	h := &htmlChart{Title: c.Title}
	if c.Kind == PieChart {
		return pieOf(c, h)
	}
	top := c.Max
	widest := 0
	for _, it := range c.Items {
		top = math.Max(top, it.Value)
		widest = max(widest, cells.Width(Truncate(it.Label, 36)))
	}
	// About 7 pixels per display column at 12px; CJK counts two columns.
	labelW := min(max(widest*7+12, 60), 270)
	const barW, rowH = 320, 22
	h.Width, h.Height = labelW+barW+90, rowH*len(c.Items)+8
	for i, it := range c.Items {
		w := 0.0
		if top > 0 {
			w = math.Max(0, it.Value) / top * barW
		}
		y := 4 + i*rowH
		h.Bars = append(h.Bars, htmlChartBar{Label: Truncate(it.Label, 36), Value: it.text(c.Unit), Y: y, TextY: y + 14,
			Width: round1(w), Color: palette[0], LabelEndX: labelW - 8, BarX: labelW, ValueX: round1(float64(labelW) + w + 6)})
	}
	return h
}

func pieOf(c *Chart, h *htmlChart) *htmlChart {
	h.Pie = true
	total := 0.0
	for _, it := range c.Items {
		total += math.Max(0, it.Value)
	}
	const r, cx, cy = 80.0, 90.0, 90.0
	h.Width, h.Height = 420, int(math.Max(190, float64(20*len(c.Items)+20)))
	angle := -math.Pi / 2
	for i, it := range c.Items {
		sl := htmlSlice{Color: palette[i%len(palette)], Label: Truncate(it.Label, 24), Value: it.text(c.Unit), SwatchY: 10 + 20*i, LegendY: 21 + 20*i}
		v := math.Max(0, it.Value)
		if total > 0 && v > 0 {
			if v >= total {
				sl.Full = true
			} else {
				end := angle + v/total*2*math.Pi
				large := 0
				if end-angle > math.Pi {
					large = 1
				}
				sl.Path = fmt.Sprintf("M%.2f,%.2f L%.2f,%.2f A%.0f,%.0f 0 %d 1 %.2f,%.2f Z",
					cx, cy, cx+r*math.Cos(angle), cy+r*math.Sin(angle), r, r, large, cx+r*math.Cos(end), cy+r*math.Sin(end))
				angle = end
			}
		}
		h.Slices = append(h.Slices, sl)
	}
	return h
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

var pageTmpl = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI","PingFang TC","Microsoft JhengHei","Noto Sans CJK TC",sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#222;background:#fff}
h1{font-size:1.5rem;margin-bottom:.25rem}
h2{font-size:1.15rem;margin:2rem 0 .5rem;border-bottom:1px solid #ddd;padding-bottom:.25rem}
p{margin:.25rem 0}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem}
th,td{padding:.25rem .6rem;border-bottom:1px solid #eee;text-align:left;vertical-align:middle}
th{background:#f5f5f5;font-weight:600}
td.r,th.r{text-align:right;font-variant-numeric:tabular-nums}
tr.warn td{color:#b00020;font-weight:600}
.bar{width:140px}
.empty{color:#777;font-style:italic}
svg text{font-size:12px;fill:#333}
footer{margin-top:3rem;color:#777;font-size:.8rem}
@media print{body{margin:0}}
</style>
</head>
<body>
<h1>{{.Title}}</h1>
{{range .Lines}}<p>{{.}}</p>
{{end}}
{{- range .Sections}}
<section>
{{if .Title}}<h2>{{.Title}}</h2>{{end}}
{{range .Lines}}<p>{{.}}</p>
{{end}}
{{- with .Chart}}{{if .Title}}<p><strong>{{.Title}}</strong></p>{{end}}
<svg xmlns="http://www.w3.org/2000/svg" width="{{.Width}}" height="{{.Height}}" viewBox="0 0 {{.Width}} {{.Height}}" role="img">
{{- if .Pie}}
{{- range .Slices}}
{{- if .Full}}<circle cx="90" cy="90" r="80" fill="{{.Color}}"/>{{else if .Path}}<path d="{{.Path}}" fill="{{.Color}}" stroke="#fff" stroke-width="1"/>{{end}}
<rect x="190" y="{{.SwatchY}}" width="12" height="12" fill="{{.Color}}"/><text x="208" y="{{.LegendY}}">{{.Label}}: {{.Value}}</text>
{{- end}}
{{- else}}
{{- range .Bars}}
<text x="{{.LabelEndX}}" y="{{.TextY}}" text-anchor="end">{{.Label}}</text><rect x="{{.BarX}}" y="{{.Y}}" width="{{.Width}}" height="16" fill="{{.Color}}"/><text x="{{.ValueX}}" y="{{.TextY}}">{{.Value}}</text>
{{- end}}
{{- end}}
</svg>
{{end}}
{{- if .Rows}}
<table>
<thead><tr>{{range .Headers}}<th{{if .Right}} class="r"{{end}}>{{.Text}}</th>{{end}}{{if .HasBars}}<th class="bar"></th>{{end}}</tr></thead>
<tbody>
{{- range .Rows}}
<tr{{if .Warn}} class="warn"{{end}}>{{range .Cells}}<td{{if .Right}} class="r"{{end}}>{{.Text}}</td>{{end}}{{with .Bar}}<td class="bar"><svg xmlns="http://www.w3.org/2000/svg" width="140" height="12" role="img" aria-label="{{.Label}}"><rect x="0" y="0" width="140" height="12" fill="#eee"/><rect x="0" y="0" width="{{.Width}}%" height="12" fill="{{if .Over}}#e15759{{else}}#4e79a7{{end}}"/></svg></td>{{end}}</tr>
{{- end}}
</tbody>
</table>
{{range .After}}<p>{{.}}</p>
{{end}}
{{- else if .Empty}}
<p class="empty">{{.Empty}}</p>
{{- end}}
</section>
{{- end}}
<footer>{{.Footer}}</footer>
</body>
</html>
`))
