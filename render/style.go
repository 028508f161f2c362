package render

import (
	"github.com/alecthomas/chroma/v2"
	chromastyles "github.com/alecthomas/chroma/v2/styles"
	"github.com/charmbracelet/glamour/ansi"
)

// Terminal colours are taken from the 16-colour palette only. The
// terminal's own theme defines those colours, so a palette index reads on
// that theme's background, dark or light; a fixed 256-colour or RGB theme
// (glamour's "dark", chroma's "monokai") is right on one background and
// washed out on the other. Plain text takes the terminal's default
// foreground, and we avoid black, white and yellow, which vanish on one
// background or the other.
const (
	ansiRed     = "1"
	ansiGreen   = "2"
	ansiBlue    = "4"
	ansiMagenta = "5"
	ansiCyan    = "6"
	ansiGray    = "8" // bright black: dim on both backgrounds, still legible
)

// terminalChromaStyle names the chroma style the ANSI code blocks use.
const terminalChromaStyle = "coursectl-ansi"

// codeStyle highlights code for the terminal. Its colours are the exact
// values chroma's "terminal16" formatter maps to palette indexes (see
// formatters/tty_indexed.go), so each token gets a palette colour.
var codeStyle = chroma.MustNewStyle(terminalChromaStyle, chroma.StyleEntries{
	chroma.Comment:             "italic #555555",
	chroma.CommentPreproc:      "#555555",
	chroma.Keyword:             "#7f007f",
	chroma.KeywordType:         "#007f7f",
	chroma.NameBuiltin:         "#00007f",
	chroma.NameFunction:        "#00007f",
	chroma.NameVariable:        "#007f7f",
	chroma.NameAttribute:       "#007f7f",
	chroma.NameTag:             "#7f007f",
	chroma.LiteralString:       "#007f00",
	chroma.LiteralStringEscape: "#7f0000",
	chroma.LiteralNumber:       "#7f0000",
	chroma.Operator:            "#7f007f",
	chroma.GenericPrompt:       "bold #007f00",
	chroma.GenericOutput:       "#555555",
	chroma.GenericDeleted:      "#7f0000",
	chroma.GenericInserted:     "#007f00",
	chroma.GenericHeading:      "bold",
	chroma.GenericSubheading:   "bold",
	chroma.GenericStrong:       "bold",
	chroma.GenericEmph:         "italic",
})

// glamour looks its code theme up by name in chroma's global registry,
// which is a plain map. Registering in init, before any goroutine can
// render, is the one time writing to it cannot race a reader; nothing in
// this package touches the registry after that.
func init() {
	if _, ok := chromastyles.Registry[terminalChromaStyle]; !ok {
		chromastyles.Register(codeStyle)
	}
}

func sp(s string) *string { return &s }
func bp(b bool) *bool     { return &b }
func up(u uint) *uint     { return &u }

// proseMargin is the left margin of prose; the step frame lines up with it.
const proseMargin = 2

// colorStyle is glamour's configuration for a colour terminal.
func colorStyle() ansi.StyleConfig {
	return ansi.StyleConfig{
		Document: ansi.StyleBlock{
			StylePrimitive: ansi.StylePrimitive{BlockPrefix: "\n", BlockSuffix: "\n"},
			Margin:         up(proseMargin),
		},
		BlockQuote: ansi.StyleBlock{
			StylePrimitive: ansi.StylePrimitive{Italic: bp(true)},
			Indent:         up(1),
			IndentToken:    sp("│ "),
		},
		List:    ansi.StyleList{LevelIndent: 2},
		Heading: ansi.StyleBlock{StylePrimitive: ansi.StylePrimitive{BlockSuffix: "\n", Bold: bp(true)}},
		H1: ansi.StyleBlock{StylePrimitive: ansi.StylePrimitive{
			Color: sp(ansiMagenta), Underline: bp(true),
		}},
		H2:             ansi.StyleBlock{StylePrimitive: ansi.StylePrimitive{Color: sp(ansiBlue)}},
		H3:             ansi.StyleBlock{StylePrimitive: ansi.StylePrimitive{Color: sp(ansiCyan)}},
		Strikethrough:  ansi.StylePrimitive{CrossedOut: bp(true)},
		Emph:           ansi.StylePrimitive{Italic: bp(true)},
		Strong:         ansi.StylePrimitive{Bold: bp(true)},
		HorizontalRule: ansi.StylePrimitive{Color: sp(ansiGray), Format: "\n────────\n"},
		Item:           ansi.StylePrimitive{BlockPrefix: "• "},
		Enumeration:    ansi.StylePrimitive{BlockPrefix: ". "},
		Task:           ansi.StyleTask{Ticked: "[✓] ", Unticked: "[ ] "},
		Link:           ansi.StylePrimitive{Color: sp(ansiBlue), Underline: bp(true)},
		LinkText:       ansi.StylePrimitive{Bold: bp(true)},
		Image:          ansi.StylePrimitive{Color: sp(ansiBlue), Underline: bp(true)},
		ImageText:      ansi.StylePrimitive{Color: sp(ansiGray), Format: "Image: {{.text}} →"},
		Code:           ansi.StyleBlock{StylePrimitive: ansi.StylePrimitive{Color: sp(ansiRed)}},
		CodeBlock: ansi.StyleCodeBlock{
			StyleBlock: ansi.StyleBlock{Margin: up(2)},
			Theme:      terminalChromaStyle,
		},
		Table:                 ansi.StyleTable{CenterSeparator: sp("┼"), ColumnSeparator: sp("│"), RowSeparator: sp("─")},
		DefinitionDescription: ansi.StylePrimitive{BlockPrefix: "\n  "},
	}
}

// plainStyle is for output with no escapes at all (a pipe, NO_COLOR,
// TERM=dumb). glamour's "notty" style keeps markdown markers (`# `, `**`,
// backticks); we drop them as the colour style does and rely on layout:
// headings on their own lines between blank lines, bullets, indentation.
func plainStyle() ansi.StyleConfig {
	return ansi.StyleConfig{
		Document: ansi.StyleBlock{
			StylePrimitive: ansi.StylePrimitive{BlockPrefix: "\n", BlockSuffix: "\n"},
			Margin:         up(proseMargin),
		},
		BlockQuote:            ansi.StyleBlock{Indent: up(1), IndentToken: sp("│ ")},
		List:                  ansi.StyleList{LevelIndent: 2},
		Heading:               ansi.StyleBlock{StylePrimitive: ansi.StylePrimitive{BlockSuffix: "\n"}},
		HorizontalRule:        ansi.StylePrimitive{Format: "\n────────\n"},
		Item:                  ansi.StylePrimitive{BlockPrefix: "• "},
		Enumeration:           ansi.StylePrimitive{BlockPrefix: ". "},
		Task:                  ansi.StyleTask{Ticked: "[x] ", Unticked: "[ ] "},
		ImageText:             ansi.StylePrimitive{Format: "Image: {{.text}} →"},
		CodeBlock:             ansi.StyleCodeBlock{StyleBlock: ansi.StyleBlock{Margin: up(2)}},
		Table:                 ansi.StyleTable{CenterSeparator: sp("┼"), ColumnSeparator: sp("│"), RowSeparator: sp("─")},
		DefinitionDescription: ansi.StylePrimitive{BlockPrefix: "\n  "},
	}
}
