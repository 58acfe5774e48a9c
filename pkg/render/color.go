package render

// Colors applies ANSI colours when enabled (a terminal, and NO_COLOR unset).
type Colors struct{ Enabled bool }

func (c Colors) wrap(code, s string) string {
	if !c.Enabled || s == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (c Colors) Red(s string) string    { return c.wrap("31", s) }
func (c Colors) Yellow(s string) string { return c.wrap("33", s) }
func (c Colors) Green(s string) string  { return c.wrap("32", s) }
func (c Colors) Bold(s string) string   { return c.wrap("1", s) }
func (c Colors) Dim(s string) string    { return c.wrap("2", s) }
func (c Colors) Cyan(s string) string   { return c.wrap("36", s) }
