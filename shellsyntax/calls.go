package shellsyntax

import (
	"path"
	"strings"
	"unicode/utf8"

	"mvdan.cc/sh/v3/syntax"
)

// Word is one word of a command as bash passes it to the program, where
// that can be known without running anything.
type Word struct {
	// Text is the word with its quotes removed. Expansions stay as written
	// (`$HOME/x`, `~/.bashrc`, `*.txt`, `$(date)`).
	Text string
	// Static is set when Text is exactly what the program gets: no
	// parameter, command or arithmetic expansion, no unquoted glob, tilde
	// or brace.
	Static bool
	// Raw is the word as written, quotes and all: what to put back in a
	// command for the shell to expand as it would have.
	Raw string
}

// Call is one simple command: a program run with its arguments.
type Call struct {
	// Name is the program: the base name of its word (`vim` for
	// /usr/bin/vim), or the word as written when it is an expansion
	// (`$EDITOR`). A call of only assignments or redirections has none.
	Name string
	// Prog is the program's word as written, after the wrappers.
	Prog Word
	// Args are the arguments after the program.
	Args []Word
	// Wrappers are the programs that only start it (sudo, env, exec,
	// command, nohup, time...), outermost first.
	Wrappers []string
	// Line is the 1-based line of the text where the call starts.
	Line int
	// Redirections counts its own redirections (`> out`, `2>&1`, `< in`).
	Redirections int
	// Piped: its input is a pipe (it follows a |, or sits in a compound
	// command that does). Redirected: its input is a file, a heredoc or a
	// here-string (its own redirection or an enclosing command's).
	Piped, Redirected bool
	// Background: it runs behind a `&`.
	Background bool
	// Subshell: it runs in a child shell — ( ), $( ), a pipeline, a `&` —
	// so what it does to the shell's own state (set, cd) does not last.
	Subshell bool
}

// ArgTexts are the arguments' texts.
func (c Call) ArgTexts() []string {
	out := make([]string, len(c.Args))
	for i, a := range c.Args {
		out[i] = a.Text
	}
	return out
}

// Sudo reports whether the call goes through sudo (or doas), or is one.
func (c Call) Sudo() bool {
	if c.Name == "sudo" || c.Name == "doas" {
		return true
	}
	for _, w := range c.Wrappers {
		if w == "sudo" || w == "doas" {
			return true
		}
	}
	return false
}

// Calls returns every simple command in src, in the order they appear:
// inside if/for/while/case, functions, subshells, pipelines, `&&`/`||`,
// command substitutions and unquoted heredoc bodies' substitutions. Quoted
// strings and heredoc bodies are data. A `select` loop is given as a call
// named select: like read, it waits for a line from the keyboard.
//
// A `<placeholder>` (`docker exec -it <container-id> sh`) is taken as the
// word a reader sees, not as redirections. Commands bash would reject as a
// syntax error are left out; the rest of src is still read.
func Calls(src string) []Call {
	if c, ok := plainCall(src); ok {
		if c.Prog.Text == "" {
			return nil
		}
		return []Call{c}
	}
	return parseCalls(src)
}

// parseCalls is Calls by the parser.
func parseCalls(src string) []Call {
	return parseWalk(src).calls
}

func parseWalk(src string) *walker {
	text, marked := markPlaceholders(src)
	w := &walker{src: text, marked: marked}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	for at := 0; at < len(lines); {
		at = w.read(lines, at)
	}
	return w
}

// Simple returns the call when src is one simple command and nothing more:
// no list, pipeline, compound command, substitution, `!` or `&`, and no
// syntax error. Redirections are allowed (the call counts them).
func Simple(src string) (Call, bool) {
	if c, ok := plainCall(src); ok {
		if c.Prog.Text == "" {
			return Call{}, false
		}
		return c, true
	}
	return parseSimple(src)
}

// parseSimple is Simple by the parser.
func parseSimple(src string) (Call, bool) {
	w := parseWalk(src)
	if w.top != 1 || w.broken || len(w.calls) != 1 {
		return Call{}, false
	}
	return w.calls[0], true
}

// plainCall reads a line that is plainly one simple command of words — no
// quote, escape, expansion, redirection, operator or bracket — by splitting
// it at blanks as bash does, without the parser: most commands in a course
// are such lines. TestPlainCallAgrees holds it to the parser's reading.
func plainCall(src string) (Call, bool) {
	line := strings.TrimSuffix(src, "\n")
	if strings.ContainsAny(line, "\n$>'\"|") || !plainCommand(line) || !utf8.ValidString(line) {
		return Call{}, false
	}
	var words []Word
	for _, f := range strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == '\t' }) {
		if f[0] == '#' {
			break // a comment
		}
		if len(words) == 0 && strings.Contains(f, "=") {
			if !isAssignment(f) {
				return Call{}, false // a[0]=x and other forms: the parser's to read
			}
			continue // the command's own environment
		}
		if len(words) == 0 && syntax.IsKeyword(f) {
			return Call{}, false
		}
		words = append(words, Word{Text: f, Static: litStatic(f, true), Raw: f})
	}
	c := Call{Line: 1}
	if len(words) == 0 {
		return c, true
	}
	rest, wrappers := unwrap(words)
	c.Wrappers, c.Prog, c.Args = wrappers, rest[0], rest[1:]
	c.Name = progName(c.Prog)
	return c, true
}

// progName is the program a word names: its base name, or the word itself
// when an expansion makes it (`$EDITOR`, `${EDITOR:-/usr/bin/nano}`).
func progName(w Word) string {
	if strings.ContainsAny(w.Text, "$`") {
		return w.Text
	}
	return path.Base(w.Text)
}

// Placeholders are marked with control bytes a module does not hold (when
// it does, nothing is marked), so that the parser takes them as words and
// the words are given back as written.
const (
	openMark  = '\x01'
	closeMark = '\x02'
)

// markPlaceholders turns `<word>` (no blank inside, at a word's start) into
// a plain word for the parser: in a course, `<container-id>` is something
// to fill in, not a redirection from a file named container-id.
func markPlaceholders(src string) (string, bool) {
	if !strings.Contains(src, "<") || strings.ContainsAny(src, "\x01\x02") {
		return src, false
	}
	var b []byte
	for i := 0; i < len(src); i++ {
		if src[i] != '<' || i+1 >= len(src) || strings.IndexByte(" \t\n<(", src[i+1]) >= 0 {
			continue
		}
		if i > 0 && strings.IndexByte(" \t\n;|&()`", src[i-1]) < 0 {
			continue
		}
		end := strings.IndexAny(src[i+1:], " \t\n>")
		if end <= 0 || src[i+1+end] != '>' {
			continue
		}
		if b == nil {
			b = []byte(src)
		}
		b[i], b[i+1+end] = openMark, closeMark
		i += end + 1
	}
	if b == nil {
		return src, false
	}
	return string(b), true
}

func unmark(s string) string {
	return strings.NewReplacer(string(rune(openMark)), "<", string(rune(closeMark)), ">").Replace(s)
}

// walker collects the calls of one text.
type walker struct {
	src    string
	marked bool
	base   int // line offset of the statements being walked
	offs   int // byte offset of the parser's input in src
	calls  []Call
	// top counts the top-level statements read, two for one that is not a
	// plain call (a list, a pipeline, a compound command, `&`, `!`): Simple
	// wants exactly one. broken is set by a syntax error.
	top    int
	broken bool
}

// read parses lines[at:], walking each command bash would run, until a
// syntax error; it returns where to go on reading.
func (w *walker) read(lines []string, at int) int {
	served, resume := at, len(lines)
	w.base = at
	w.offs = 0
	for _, l := range lines[:at] {
		w.offs += len(l) + 1
	}
	p := getParser()
	defer putParser(p)
	readLines(p, func() (string, bool) {
		if served == len(lines) {
			return "", false
		}
		served++
		return lines[served-1], true
	}, func(stmts []*syntax.Stmt, v verdict) bool {
		switch v {
		case broken:
			// bash drops the whole command line it could not parse.
			resume, w.broken = served, true
			return false
		case complete:
			for _, s := range stmts {
				w.top++
				if _, call := s.Cmd.(*syntax.CallExpr); !call || s.Background || s.Negated || s.Coprocess {
					w.top++
				}
				w.stmt(s, scope{})
			}
		}
		return true
	})
	return resume
}

// scope is what a command inherits from the commands around it.
type scope struct {
	piped, redirected, background, subshell bool
}

func (w *walker) stmts(list []*syntax.Stmt, sc scope) {
	for _, s := range list {
		w.stmt(s, sc)
	}
}

func (w *walker) stmt(s *syntax.Stmt, sc scope) {
	if s == nil {
		return
	}
	// Expansions in the statement's words run before its own redirections
	// apply, with the input the statement was given.
	outer := sc
	if s.Background {
		sc.background, sc.subshell = true, true
	}
	for _, r := range s.Redirs {
		if readsInput(r) {
			sc.redirected = true
		}
	}
	// In source order: the command, then its redirections' words and
	// heredoc bodies.
	defer func() {
		for _, r := range s.Redirs {
			w.expansions(r.Word, outer)
			w.expansions(r.Hdoc, outer)
		}
	}()
	switch c := s.Cmd.(type) {
	case *syntax.CallExpr:
		for _, a := range c.Assigns {
			w.expansions(a, outer)
		}
		if len(c.Args) > 0 {
			w.call(c.Args, c.Pos(), sc, len(s.Redirs))
		}
		for _, a := range c.Args {
			w.expansions(a, outer)
		}
	case *syntax.IfClause:
		for ; c != nil; c = c.Else {
			w.stmts(c.Cond, sc)
			w.stmts(c.Then, sc)
		}
	case *syntax.WhileClause:
		w.stmts(c.Cond, sc)
		w.stmts(c.Do, sc)
	case *syntax.ForClause:
		if c.Select {
			if it, ok := c.Loop.(*syntax.WordIter); ok {
				w.emit(Call{Name: "select", Prog: Word{Text: "select", Static: true, Raw: "select"}, Args: w.words(it.Items)}, c.Pos(), sc)
			}
		}
		w.expansions(c.Loop, outer)
		w.stmts(c.Do, sc)
	case *syntax.CaseClause:
		w.expansions(c.Word, outer)
		for _, it := range c.Items {
			for _, pat := range it.Patterns {
				w.expansions(pat, outer)
			}
			w.stmts(it.Stmts, sc)
		}
	case *syntax.Block:
		w.stmts(c.Stmts, sc)
	case *syntax.Subshell:
		sc.subshell = true
		w.stmts(c.Stmts, sc)
	case *syntax.BinaryCmd:
		if c.Op == syntax.Pipe || c.Op == syntax.PipeAll {
			// Every member of a pipeline runs in a child shell.
			sc.subshell = true
			w.stmt(c.X, sc)
			sc.piped = true
			w.stmt(c.Y, sc)
			return
		}
		w.stmt(c.X, sc)
		w.stmt(c.Y, sc)
	case *syntax.FuncDecl:
		// The body runs where the function is called; what it would run
		// is still what the text asks for.
		w.stmt(c.Body, sc)
	case *syntax.TimeClause:
		w.stmt(c.Stmt, sc)
	case *syntax.CoprocClause:
		sc.subshell, sc.background = true, true
		w.stmt(c.Stmt, sc)
	case *syntax.DeclClause:
		args := []Word{{Text: c.Variant.Value, Static: true, Raw: c.Variant.Value}}
		for _, a := range c.Args {
			args = append(args, w.assign(a))
		}
		w.emit(Call{Name: c.Variant.Value, Prog: args[0], Args: args[1:]}, c.Pos(), sc)
		for _, a := range c.Args {
			w.expansions(a, outer)
		}
	case *syntax.LetClause:
		args := make([]Word, len(c.Exprs))
		for i, e := range c.Exprs {
			args[i] = Word{Text: w.source(e), Raw: w.source(e)}
		}
		w.emit(Call{Name: "let", Prog: Word{Text: "let", Static: true, Raw: "let"}, Args: args}, c.Pos(), sc)
		w.expansions(c, outer)
	case nil:
	default:
		// (( )), [[ ]]: no program, but their words may hold $( ).
		w.expansions(c, outer)
	}
}

// readsInput reports whether a redirection gives the command's standard
// input: `<`, `<<`, `<<-`, `<<<`, `<&`, `<>` on fd 0 (the default).
func readsInput(r *syntax.Redirect) bool {
	if r.N != nil && r.N.Value != "0" {
		return false
	}
	switch r.Op {
	case syntax.RdrIn, syntax.RdrInOut, syntax.DplIn, syntax.Hdoc, syntax.DashHdoc, syntax.WordHdoc:
		return true
	}
	return false
}

// expansions walks the command and process substitutions inside a node.
func (w *walker) expansions(n syntax.Node, sc scope) {
	if n == nil {
		return
	}
	if x, ok := n.(*syntax.Word); ok && x == nil {
		return
	}
	syntax.Walk(n, func(n syntax.Node) bool {
		switch x := n.(type) {
		case *syntax.CmdSubst:
			inner := sc
			inner.subshell = true
			w.stmts(x.Stmts, inner)
			return false
		case *syntax.ProcSubst:
			inner := sc
			inner.subshell = true
			if x.Op == syntax.CmdOut {
				inner.piped = true // >(cmd) reads what is written to it
			}
			w.stmts(x.Stmts, inner)
			return false
		}
		return true
	})
}

func (w *walker) emit(c Call, pos syntax.Pos, sc scope) {
	c.Line = w.base + int(pos.Line())
	c.Piped, c.Redirected, c.Background, c.Subshell = sc.piped, sc.redirected, sc.background, sc.subshell
	w.calls = append(w.calls, c)
}

// call strips the wrappers off a simple command's words and records it.
func (w *walker) call(args []*syntax.Word, pos syntax.Pos, sc scope, redirs int) {
	words := w.words(args)
	rest, wrappers := unwrap(words)
	c := Call{Wrappers: wrappers, Redirections: redirs}
	if len(rest) > 0 {
		c.Prog, c.Args = rest[0], rest[1:]
		c.Name = progName(c.Prog)
	}
	w.emit(c, pos, sc)
}

func (w *walker) words(ws []*syntax.Word) []Word {
	out := make([]Word, 0, len(ws))
	for _, x := range ws {
		out = append(out, w.word(x))
	}
	return out
}

// word unquotes a word where it is static and keeps expansions as written.
func (w *walker) word(x *syntax.Word) Word {
	if x == nil {
		return Word{}
	}
	var b strings.Builder
	static := true
	for i, part := range x.Parts {
		switch p := part.(type) {
		case *syntax.Lit:
			if !litStatic(p.Value, i == 0) {
				static = false
			}
			unescape(&b, p.Value, false)
		case *syntax.SglQuoted:
			if p.Dollar {
				static = false // $'...' escapes: shown as written
				b.WriteString(w.source(p))
				continue
			}
			b.WriteString(p.Value)
		case *syntax.DblQuoted:
			for _, q := range p.Parts {
				if l, ok := q.(*syntax.Lit); ok {
					unescape(&b, l.Value, true)
					continue
				}
				static = false
				b.WriteString(w.source(q))
			}
		default:
			static = false
			b.WriteString(w.source(p))
		}
	}
	t, raw := b.String(), w.source(x)
	if w.marked {
		t, raw = unmark(t), unmark(raw)
	}
	return Word{Text: t, Static: static, Raw: raw}
}

// assign gives a declare/export/local argument as the word it was.
func (w *walker) assign(a *syntax.Assign) Word {
	if a.Naked {
		if a.Value != nil {
			return w.word(a.Value)
		}
		if a.Name != nil {
			return Word{Text: a.Name.Value, Static: true, Raw: a.Name.Value}
		}
	}
	t := w.source(a)
	if w.marked {
		t = unmark(t)
	}
	return Word{Text: t, Raw: t}
}

// source is a node's text as written.
func (w *walker) source(n syntax.Node) string {
	s, e := w.offs+int(n.Pos().Offset()), w.offs+int(n.End().Offset())
	if s < 0 || e > len(w.src) || s > e {
		return ""
	}
	return w.src[s:e]
}

// litStatic reports whether an unquoted literal is passed as it is: no glob
// character, brace or leading tilde that bash would expand.
func litStatic(v string, first bool) bool {
	if first && strings.HasPrefix(v, "~") {
		return false
	}
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '\\':
			i++
		case '*', '?', '[', '{':
			return false
		}
	}
	return true
}

// unescape writes a literal with bash's quote removal: outside quotes a
// backslash keeps the next byte; inside double quotes only before $ ` " \.
func unescape(b *strings.Builder, v string, dquoted bool) {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '\\' && i+1 < len(v) && (!dquoted || strings.IndexByte("$`\"\\", v[i+1]) >= 0) {
			i++
			c = v[i]
		}
		b.WriteByte(c)
	}
}
