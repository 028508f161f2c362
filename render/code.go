package render

import (
	"strings"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"

	"github.com/coursectl/coursectl/course"
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

func lexTokens(lang, text string) []chroma.Token {
	lexer := lexers.Get(lang)
	if lexer == nil {
		lexer = lexers.Fallback
	}
	it, err := chroma.Coalesce(lexer).Tokenise(nil, text)
	if err != nil {
		return []chroma.Token{{Type: chroma.Text, Value: text}}
	}
	return it.Tokens()
}

// promptedTokens shows `$ ` prompts as prompts, lexes each command (with
// its continuation lines, so quotes and heredocs lex right) as bash, and
// shows every other line as output.
func promptedTokens(s *course.Step, body string) []chroma.Token {
	lines := strings.Split(body, "\n")
	span := commandSpans(s, lines)
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
		first := lines[i]
		indent := len(first) - len(strings.TrimLeft(first, " \t"))
		rest := first[indent:]
		prompt := ""
		if strings.HasPrefix(rest, "$ ") || rest == "$" {
			prompt, rest = "$", strings.TrimPrefix(rest[1:], " ")
		}
		if indent > 0 {
			toks = append(toks, chroma.Token{Type: chroma.Text, Value: first[:indent]})
		}
		if prompt != "" {
			toks = append(toks, chroma.Token{Type: chroma.GenericPrompt, Value: "$"}, chroma.Token{Type: chroma.Text, Value: " "})
		}
		cmd := append([]string{rest}, lines[i+1:i+n]...)
		toks = append(toks, lexTokens("bash", strings.Join(cmd, "\n")+"\n")...)
		i += n
	}
	return toks
}

// commandSpans marks, for each body line, how many lines the command that
// starts there spans (0: not a command start or not a command line).
func commandSpans(s *course.Step, lines []string) []int {
	span := make([]int, len(lines))
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
		known = true
	}
	if known {
		return span
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
	return span
}
