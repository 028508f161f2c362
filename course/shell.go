package course

import "strings"

// shellState follows just enough of bash's grammar, line by line, to know
// whether the lines fed so far form a complete command or bash would ask
// for more (PS2). It is not a parser: it only has to agree with bash on
// where one command ends, which needs quotes, trailing backslashes and
// operators, heredocs, and the nesting of compound commands and brackets.
type shellState struct {
	quote   byte     // ', " or ` when a quoted word is open across lines
	heredoc []string // delimiters still waiting for their body, in order
	tabs    []bool   // per heredoc: <<- (leading tabs stripped)
	inBody  bool     // the current line belongs to a heredoc body
	depth   int      // open (, {, $(, ${
	params  int      // of depth, the open ${ (closed by the next })
	blocks  []string // open compound keywords: the word that closes each
	more    bool     // the last line ended with \, |, && or ||
}

var closers = map[string]string{
	"if": "fi", "case": "esac", "for": "done", "while": "done",
	"until": "done", "select": "done",
}

// complete reports whether everything fed so far is a whole command.
func (s *shellState) complete() bool {
	return s.quote == 0 && len(s.heredoc) == 0 && s.depth <= 0 &&
		len(s.blocks) == 0 && !s.more
}

// feed consumes one line (without its newline).
func (s *shellState) feed(line string) {
	if len(s.heredoc) > 0 && s.inBody {
		delim := line
		if s.tabs[0] {
			delim = strings.TrimLeft(delim, "\t")
		}
		if delim == s.heredoc[0] {
			s.heredoc, s.tabs = s.heredoc[1:], s.tabs[1:]
		}
		if len(s.heredoc) == 0 {
			s.inBody = false
		}
		return
	}
	s.more = false
	cmdPos := s.quote == 0 // a keyword only counts where a command starts
	// The current word is line[wstart:i]; plain is false once it holds a
	// quote or an escape, and then it is no keyword. Words are slices of
	// the line, never copies: this runs on every line of every block.
	wstart, plain := -1, true
	if s.quote != 0 {
		wstart, plain = 0, false
	}
	inCase := func() bool { return len(s.blocks) > 0 && s.blocks[len(s.blocks)-1] == "esac" }
	endWord := func(i int) {
		if wstart < 0 {
			return
		}
		w := line[wstart:i]
		wasPlain := plain
		wstart, plain = -1, true
		if !cmdPos {
			return
		}
		if !wasPlain {
			cmdPos = false
			return
		}
		if c, ok := closers[w]; ok {
			s.blocks = append(s.blocks, c)
		} else if n := len(s.blocks); n > 0 && s.blocks[n-1] == w {
			s.blocks = s.blocks[:n-1]
		}
		switch w {
		case "then", "do", "else", "elif", "!", "time", "in":
			cmdPos = !(w == "in" && inCase())
		default:
			cmdPos = false
		}
	}
	inWord := func(i int) {
		if wstart < 0 {
			wstart = i
		}
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch s.quote {
		case '\'':
			if c == '\'' {
				s.quote = 0
			}
			continue
		case '"', '`':
			if c == '\\' {
				i++
			} else if c == s.quote {
				s.quote = 0
			}
			continue
		}
		switch c {
		case '\\':
			if i == len(line)-1 {
				s.more = true
				endWord(i)
				return
			}
			inWord(i)
			plain = false
			i++
		case '\'', '"', '`':
			inWord(i)
			plain = false
			s.quote = c
		case '#':
			if wstart < 0 {
				i = len(line) // a comment runs to the end of the line
				continue
			}
		case ' ', '\t':
			endWord(i)
		case ';', '&', '|':
			endWord(i)
			cmdPos = true
			if c == ';' && i+1 < len(line) && line[i+1] == ';' && inCase() {
				i++
			}
		case '(':
			endWord(i)
			if !inCase() {
				s.depth++
			}
			cmdPos = true
		case ')':
			endWord(i)
			if !inCase() {
				s.depth--
			}
			cmdPos = true
		case '{':
			if wstart < 0 && cmdPos && (i+1 == len(line) || line[i+1] == ' ' || line[i+1] == '\t') {
				s.depth++ // a { } group
				continue
			}
			if i > 0 && line[i-1] == '$' && wstart >= 0 {
				s.depth++ // ${param}
				s.params++
			}
			inWord(i)
		case '}':
			if wstart < 0 && s.depth > s.params {
				s.depth-- // the end of a { } group
				continue
			}
			if s.params > 0 {
				s.depth--
				s.params--
			}
			inWord(i)
		case '<':
			if i+1 < len(line) && line[i+1] == '<' && (i+2 >= len(line) || line[i+2] != '<') {
				endWord(i)
				i += 2
				strip := false
				if i < len(line) && line[i] == '-' {
					strip = true
					i++
				}
				for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
					i++
				}
				j := i
				for j < len(line) && !strings.ContainsRune(" \t;&|<>()", rune(line[j])) {
					j++
				}
				delim := line[i:j]
				if strings.ContainsAny(delim, `'"\`) {
					delim = strings.NewReplacer(`'`, "", `"`, "", `\`, "").Replace(delim)
				}
				if delim != "" {
					s.heredoc = append(s.heredoc, delim)
					s.tabs = append(s.tabs, strip)
				}
				i = j - 1
				continue
			}
			if i+2 < len(line) && line[i+1] == '<' && line[i+2] == '<' {
				i += 2 // a here-string is one line
			}
			endWord(i)
		default:
			inWord(i)
		}
	}
	endWord(len(line))
	if s.quote == 0 {
		t := strings.TrimRight(line, " \t")
		if strings.HasSuffix(t, "|") || strings.HasSuffix(t, "&&") || strings.HasSuffix(t, "||") {
			s.more = true
		}
	}
	if len(s.heredoc) > 0 {
		s.inBody = true
	}
}
