package render

import (
	"github.com/alecthomas/chroma/v2"

	"github.com/coursectl/coursectl/sgr"
)

// Terminal colours are taken from the 16-colour palette only. The
// terminal's own theme defines those colours, so a palette index reads on
// that theme's background, dark or light; a fixed 256-colour or RGB theme
// is right on one background and washed out on the other. Plain text takes
// the terminal's default foreground, and we avoid black, white and yellow,
// which vanish on one background or the other.

// proseMargin is the left margin of prose; the step frame lines up with it.
const proseMargin = 2

// codeStyles are the attributes of code tokens in the terminal, by chroma
// token type; a type not listed takes its subcategory's, then its
// category's (a double-quoted string is a string).
var codeStyles = map[chroma.TokenType][]string{
	chroma.Comment:             {sgr.Italic, sgr.Gray},
	chroma.CommentPreproc:      {sgr.Gray},
	chroma.Keyword:             {sgr.Magenta},
	chroma.KeywordType:         {sgr.Cyan},
	chroma.NameBuiltin:         {sgr.Blue},
	chroma.NameFunction:        {sgr.Blue},
	chroma.NameVariable:        {sgr.Cyan},
	chroma.NameAttribute:       {sgr.Cyan},
	chroma.NameTag:             {sgr.Magenta},
	chroma.LiteralString:       {sgr.Green},
	chroma.LiteralStringEscape: {sgr.Red},
	chroma.LiteralNumber:       {sgr.Red},
	chroma.Operator:            {sgr.Magenta},
	chroma.GenericPrompt:       {sgr.Bold, sgr.Green},
	chroma.GenericOutput:       {sgr.Gray},
	chroma.GenericDeleted:      {sgr.Red},
	chroma.GenericInserted:     {sgr.Green},
	chroma.GenericHeading:      {sgr.Bold},
	chroma.GenericSubheading:   {sgr.Bold},
	chroma.GenericStrong:       {sgr.Bold},
	chroma.GenericEmph:         {sgr.Italic},
}

func tokenStyle(tt chroma.TokenType) []string {
	for _, k := range []chroma.TokenType{tt, tt.SubCategory(), tt.Category()} {
		if s, ok := codeStyles[k]; ok {
			return s
		}
	}
	return nil
}
