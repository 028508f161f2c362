package render

import (
	"strings"

	"github.com/alecthomas/chroma/v2"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/render/highlight"
)

// stepTokens lexes a step's body for display. Both renderers format the
// same tokens, so the terminal and the page agree on what is a command.
//
// In a prompted script or a transcript only the commands run; the other
// lines are text for the reader or expected output, so they are shown as
// output (dim), never highlighted as shell. chroma's console lexer would
// guess that from `$`/`#` prefixes and gets the seed's
// "# In .bashrc, add:" wrong, so we use the parser's command lines.
func stepTokens(s *course.Step) []chroma.Token {
	body := trimBlankEnd(s.Body)
	if s.Prompted || s.Kind == course.Transcript {
		return promptedTokens(s, body)
	}
	return lexTokens(langOf(s.Lang, s.Kind), body+"\n")
}

// blockTokens lexes a non-step code block shown as prose.
func blockTokens(lang, body string) []chroma.Token {
	return lexTokens(langOf(lang, ""), trimBlankEnd(body)+"\n")
}

// trimBlankEnd drops the blank lines a fence often ends with; they would
// show as empty lines in the frame.
func trimBlankEnd(body string) string {
	lines := strings.Split(body, "\n")
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n")
}

func langOf(lang string, kind course.Kind) string {
	switch {
	case lang != "":
		return lang
	case kind == course.Script || kind == course.Setup:
		return "bash"
	}
	return "text"
}

// lexTokens lexes text as lang. A language highlight does not embed is
// shown as plain text, as chroma's fallback lexer would show it.
func lexTokens(lang, text string) []chroma.Token {
	lexer := highlight.Lexer(lang)
	if lexer == nil {
		lexer = highlight.Lexer("plaintext")
	}
	it, err := chroma.Coalesce(lexer).Tokenise(nil, text)
	if err != nil {
		return []chroma.Token{{Type: chroma.Text, Value: text}}
	}
	return it.Tokens()
}

// promptedTokens shows `$ ` and `> ` prompts as prompts, lexes each
// command (with its continuation lines, so quotes and heredocs lex right)
// as bash, and shows every other line as output.
func promptedTokens(s *course.Step, body string) []chroma.Token {
	lines := strings.Split(body, "\n")
	span, texts := commandSpans(s, lines)
	var toks []chroma.Token
	for i := 0; i < len(lines); {
		n := span[i]
		if n == 0 && strings.TrimSpace(lines[i]) == "" {
			toks = append(toks, chroma.Token{Type: chroma.Text, Value: "\n"})
			i++
			continue
		}
		if n == 0 {
			toks = append(toks, chroma.Token{Type: chroma.GenericOutput, Value: lines[i] + "\n"})
			i++
			continue
		}
		toks = append(toks, commandTokens(lines[i:i+n], texts[i])...)
		i += n
	}
	return toks
}

// commandTokens lexes one command shown on the body lines shown. text is
// the command as bash gets it (prompts stripped), when the parser said;
// whatever a shown line has before its text is its prompt.
func commandTokens(shown []string, text string) []chroma.Token {
	var src []string
	if text != "" {
		src = strings.Split(text, "\n")
	}
	prefixes := make([]string, len(shown))
	if len(src) == len(shown) {
		for k, l := range shown {
			if !strings.HasSuffix(l, src[k]) {
				src = nil
				break
			}
			prefixes[k] = l[:len(l)-len(src[k])]
		}
	} else {
		src = nil
	}
	if src == nil {
		// No usable command text: strip a `$ ` from the first line only.
		src = append([]string{}, shown...)
		for k := range prefixes {
			prefixes[k] = ""
		}
		first := shown[0]
		rest := strings.TrimLeft(first, " \t")
		if strings.HasPrefix(rest, "$ ") || rest == "$" {
			body := strings.TrimPrefix(rest[1:], " ")
			prefixes[0], src[0] = first[:len(first)-len(body)], body
		}
	}
	lexed := lexTokens("bash", strings.Join(src, "\n")+"\n")
	var toks []chroma.Token
	line := 0
	atStart := true
	for _, tok := range lexed {
		for tok.Value != "" {
			if atStart {
				if line < len(prefixes) {
					toks = append(toks, promptTokens(prefixes[line])...)
				}
				atStart = false
			}
			j := strings.IndexByte(tok.Value, '\n')
			if j < 0 {
				toks = append(toks, chroma.Token{Type: tok.Type, Value: tok.Value})
				break
			}
			if j > 0 {
				toks = append(toks, chroma.Token{Type: tok.Type, Value: tok.Value[:j]})
			}
			toks = append(toks, chroma.Token{Type: chroma.Text, Value: "\n"})
			tok.Value = tok.Value[j+1:]
			line++
			atStart = true
		}
	}
	return toks
}

// promptTokens splits a line's prefix ("  $ ", "> ") into indentation,
// the prompt, and the space after it.
func promptTokens(prefix string) []chroma.Token {
	if prefix == "" {
		return nil
	}
	var toks []chroma.Token
	trimmed := strings.TrimLeft(prefix, " \t")
	if lead := prefix[:len(prefix)-len(trimmed)]; lead != "" {
		toks = append(toks, chroma.Token{Type: chroma.Text, Value: lead})
	}
	p := strings.TrimRight(trimmed, " \t")
	if p != "" {
		toks = append(toks, chroma.Token{Type: chroma.GenericPrompt, Value: p})
	}
	if tail := trimmed[len(p):]; tail != "" {
		toks = append(toks, chroma.Token{Type: chroma.Text, Value: tail})
	}
	return toks
}

// commandSpans marks, for each body line, how many lines the command that
// starts there spans (0: not a command start or not a command line), and
// the command's text when the parser gave it.
func commandSpans(s *course.Step, lines []string) ([]int, []string) {
	span := make([]int, len(lines))
	texts := make([]string, len(lines))
	known := false
	for _, c := range s.Commands {
		i := c.Line - s.BodyLine
		if c.Line == 0 || s.BodyLine == 0 || i < 0 || i >= len(lines) {
			continue
		}
		n := strings.Count(c.Text, "\n") + 1
		if i+n > len(lines) {
			n = len(lines) - i
		}
		span[i] = n
		texts[i] = c.Text
		known = true
	}
	if known {
		return span, texts
	}
	// No line information (a hand-built step): a `$ ` line starts a
	// command and a trailing backslash continues it.
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(strings.TrimLeft(lines[i], " \t"), "$ ") {
			continue
		}
		j := i
		for j+1 < len(lines) && strings.HasSuffix(lines[j], "\\") {
			j++
		}
		span[i] = j - i + 1
		i = j
	}
	return span, texts
}
