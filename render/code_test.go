package render

import (
	"slices"
	"testing"

	"github.com/alecthomas/chroma/v2"
)

// A fence language package highlight does not embed is shown as plain
// text, one token, as chroma's fallback lexer showed it; one it embeds,
// including through an alias, is highlighted.
func TestLexTokensLanguages(t *testing.T) {
	text := "echo \"$HOME\" # note\n"
	for _, lang := range []string{"no-such-language", "haskell", "output"} {
		got := lexTokens(lang, text)
		if want := []chroma.Token{{Type: chroma.Text, Value: text}}; !slices.Equal(got, want) {
			t.Errorf("lexTokens(%q) = %v, want %v", lang, got, want)
		}
	}
	for _, lang := range []string{"bash", "sh", "zsh", "Bash"} {
		got := lexTokens(lang, text)
		if !slices.Contains(got, chroma.Token{Type: chroma.NameVariable, Value: "$HOME"}) {
			t.Errorf("lexTokens(%q) = %v, want $HOME a variable", lang, got)
		}
	}
}
